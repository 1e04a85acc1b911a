package routingtest

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/breaker"
	"github.com/lasso-serverless/lasso/shared/routing"
)

// StoreContract runs the behaviours every routing.Store shares. newStore
// returns a fresh, empty store whose breaker states come from breakers.
func StoreContract(t *testing.T, newStore func(t *testing.T, breakers breaker.Store) routing.Store) {
	chans := []routing.Channel{
		{Breaker: breaker.Key{Instance: "i-a", Transport: "http"}, Evidence: routing.ChannelKey{Profile: "p", Chain: "eth", Provider: "a", Transport: "http"}},
		{Breaker: breaker.Key{Instance: "i-b", Transport: "http"}, Evidence: routing.ChannelKey{Profile: "q", Chain: "base", Provider: "b", Transport: "http"}},
	}
	ctx := context.Background()
	start := time.UnixMilli(1_700_000_000_000)

	t.Run("empty store reads zero states", func(t *testing.T) {
		s := newStore(t, breaker.NewMemory(breaker.DefaultConfig(), nil))
		got, err := s.Load(ctx, chans)
		if err != nil || len(got) != len(chans) {
			t.Fatalf("Load: %v, %v", got, err)
		}
		for i, st := range got {
			if st != (routing.ChannelState{}) {
				t.Errorf("channel %d: got %+v, want the zero state", i, st)
			}
		}
	})

	t.Run("evidence follows the model outcome by outcome", func(t *testing.T) {
		s := newStore(t, breaker.NewMemory(breaker.DefaultConfig(), nil))
		var model routing.Evidence
		now := start
		steps := []struct {
			ok  bool
			lat time.Duration
		}{{true, 50 * time.Millisecond}, {true, 70 * time.Millisecond}, {false, 0}, {true, 33*time.Millisecond + 7}, {false, 0}, {false, 0}, {true, 41 * time.Millisecond}}
		for i, st := range steps {
			now = now.Add(time.Second)
			model = model.Observe(st.ok, st.lat, now)
			if err := s.Observe(ctx, chans[0], routing.Observation{Evidence: true, Success: st.ok, Latency: st.lat, Now: now}); err != nil {
				t.Fatalf("step %d: Observe: %v", i, err)
			}
			got, err := s.Load(ctx, chans)
			if err != nil {
				t.Fatal(err)
			}
			e := got[0].Evidence
			if e.Latency != model.Latency || e.Successes != model.Successes || e.ConsecutiveFailures != model.ConsecutiveFailures ||
				!e.LastSeen.Equal(model.LastSeen) || math.Abs(e.Reliability-model.Reliability) > 1e-9 {
				t.Fatalf("step %d: got %+v, want %+v", i, e, model)
			}
			if got[1].Evidence != (routing.Evidence{}) {
				t.Fatalf("step %d: another channel's evidence changed: %+v", i, got[1].Evidence)
			}
		}
	})

	t.Run("neutral observations add no evidence", func(t *testing.T) {
		s := newStore(t, breaker.NewMemory(breaker.DefaultConfig(), nil))
		if err := s.Observe(ctx, chans[0], routing.Observation{Evidence: false, Success: false, Now: start}); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Load(ctx, chans[:1])
		if got[0].Evidence != (routing.Evidence{}) {
			t.Errorf("got %+v, want no evidence", got[0].Evidence)
		}
	})

	t.Run("rate limits only move later", func(t *testing.T) {
		s := newStore(t, breaker.NewMemory(breaker.DefaultConfig(), nil))
		later, earlier := start.Add(30*time.Second), start.Add(5*time.Second)
		for _, until := range []time.Time{later, earlier} {
			if err := s.Observe(ctx, chans[1], routing.Observation{LimitedUntil: until, Now: start}); err != nil {
				t.Fatal(err)
			}
		}
		got, _ := s.Load(ctx, chans)
		if !got[1].LimitedUntil.Equal(later) {
			t.Errorf("rate-limited until %v, want %v", got[1].LimitedUntil, later)
		}
		if got[1].Evidence != (routing.Evidence{}) || !got[0].LimitedUntil.IsZero() {
			t.Errorf("a rate-limit mark leaked: %+v", got)
		}
	})

	t.Run("breaker states come from the breaker store", func(t *testing.T) {
		b := breaker.NewMemory(breaker.DefaultConfig(), nil)
		s := newStore(t, b)
		for range 5 {
			if _, err := b.Record(ctx, chans[0].Breaker, breaker.Outcome{Category: "server_error"}, start); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Load(ctx, chans)
		if err != nil {
			t.Fatal(err)
		}
		if got[0].Breaker.Phase != breaker.Open || got[1].Breaker.Phase != breaker.Closed {
			t.Errorf("phases %v and %v, want open and closed", got[0].Breaker.Phase, got[1].Breaker.Phase)
		}
	})
}
