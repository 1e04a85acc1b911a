package breaker_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/breaker"
	"github.com/lasso-serverless/lasso/shared/breaker/breakertest"
)

func TestMemoryContract(t *testing.T) {
	breakertest.Contract(t, func(t *testing.T, cfg breaker.Config) breaker.Store {
		return breaker.NewMemory(cfg, breaker.RandomJitter)
	})
}

// TestMemoryUnderLoad mixes every method on shared keys, for the race
// detector, and checks the store ends consistent: every breaker either
// closed with a count or open, never torn.
func TestMemoryUnderLoad(t *testing.T) {
	m := breaker.NewMemory(breaker.DefaultConfig(), breaker.RandomJitter)
	ctx := context.Background()
	keys := []breaker.Key{{Instance: "a", Transport: "http"}, {Instance: "a", Transport: "ws"}, {Instance: "b", Transport: "http"}}
	t0 := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	for g := range 32 {
		wg.Go(func() {
			for i := range 200 {
				now := t0.Add(time.Duration(i) * time.Second)
				k := keys[(g+i)%len(keys)]
				if _, _, err := m.Admit(ctx, k, now); err != nil {
					t.Error(err)
				}
				o := breaker.Outcome{Success: i%3 == 0, Category: []string{"server_error", "network_error", "timeout"}[g%3]}
				if _, err := m.Record(ctx, k, o, now); err != nil {
					t.Error(err)
				}
				if _, err := m.Load(ctx, keys); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	states, err := m.Load(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range states {
		if s.Phase > breaker.HalfOpen || s.Failures < 0 || (s.Phase == breaker.Open && s.OpenUntil.IsZero()) {
			t.Errorf("key %v ended torn: %+v", keys[i], s)
		}
	}
}

// Example shows a request's use of a Store: one Load for every candidate,
// the pure Admit on each snapshot to filter and tier, a store round trip
// only to take a half-open trial lease, and one Record per attempt.
func Example() {
	cfg := breaker.DefaultConfig()
	store := breaker.NewMemory(cfg, nil)
	ctx := context.Background()
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	a := breaker.Key{Instance: "a", Transport: "http"}
	b := breaker.Key{Instance: "b", Transport: "http"}
	for range 5 {
		store.Record(ctx, a, breaker.Outcome{Category: "server_error"}, now)
	}
	now = now.Add(time.Minute)

	candidates := []breaker.Key{a, b}
	states, _ := store.Load(ctx, candidates)
	for i, k := range candidates {
		d, _ := cfg.Admit(states[i], now)
		if d == breaker.AllowTrial {
			d, _, _ = store.Admit(ctx, k, now) // atomic: one trial at a time
		}
		fmt.Printf("%s: %s (%s)\n", k.Instance, d, cfg.PhaseAt(states[i], now))
		if d.Allowed() {
			s, _ := store.Record(ctx, k, breaker.Outcome{Success: true}, now)
			fmt.Printf("%s after a success: %s\n", k.Instance, s.Phase)
		}
	}
	// Output:
	// a: half_open_trial (half_open)
	// a after a success: half_open
	// b: allow (closed)
	// b after a success: closed
}
