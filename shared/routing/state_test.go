package routing_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/breaker"
	"github.com/lasso-serverless/lasso/shared/routing"
)

// sharedFake stands in for a shared store (Redis): it counts calls and can
// be switched off.
type sharedFake struct {
	mu       sync.Mutex
	inner    routing.Store
	down     bool
	loads    int
	observes int
}

var errDown = errors.New("shared store down")

func (s *sharedFake) Load(ctx context.Context, chans []routing.Channel) ([]routing.ChannelState, error) {
	s.mu.Lock()
	s.loads++
	down := s.down
	s.mu.Unlock()
	if down {
		return nil, errDown
	}
	return s.inner.Load(ctx, chans)
}

func (s *sharedFake) Observe(ctx context.Context, ch routing.Channel, o routing.Observation) error {
	s.mu.Lock()
	s.observes++
	down := s.down
	s.mu.Unlock()
	if down {
		return errDown
	}
	return s.inner.Observe(ctx, ch, o)
}

func (s *sharedFake) set(down bool) { s.mu.Lock(); s.down = down; s.mu.Unlock() }

func (s *sharedFake) counts() (int, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loads, s.observes
}

func newShared(t *testing.T, snapshot time.Duration) (*routing.Router, *fakeClock, *sharedFake, *bytes.Buffer) {
	t.Helper()
	b := breaker.NewMemory(breaker.DefaultConfig(), nil)
	shared := &sharedFake{inner: routing.NewMemoryStore(b)}
	var logs bytes.Buffer
	r, clk := newRouter(routing.Options{Breakers: b, State: shared, Snapshot: snapshot,
		Log: slog.New(slog.NewJSONHandler(&logs, nil))})
	return r, clk, shared, &logs
}

// A plan reads the shared store at most once per snapshot interval; the
// container's own outcomes show at once; a success on a clean breaker costs
// only the evidence write.
func TestSnapshotBoundsSharedReads(t *testing.T) {
	r, clk, shared, _ := newShared(t, time.Second)
	a, b := httpProv("a", 1), httpProv("b", 2)
	c := callOn(chainOf(a, b), routing.Priority, "eth_blockNumber", "[]")
	ctx := context.Background()

	r.Plan(ctx, c)
	r.Plan(ctx, c)
	if loads, _ := shared.counts(); loads != 1 {
		t.Fatalf("two plans within the snapshot: %d shared loads, want 1", loads)
	}
	clk.Advance(1001 * time.Millisecond)
	r.Plan(ctx, c)
	if loads, _ := shared.counts(); loads != 2 {
		t.Fatalf("a plan after the snapshot aged: %d shared loads, want 2", loads)
	}

	// Five server errors open a through this router: the next plan (same
	// snapshot) already leaves it out.
	record(r, c, a, 5, failure("server_error"))
	if got := planIDs(r.Plan(ctx, c)); strings.Join(got, ",") != "b" {
		t.Errorf("after a opened: plan %v, want [b] without waiting for a refresh", got)
	}
	_, before := shared.counts()
	record(r, c, b, 1, success(10*time.Millisecond))
	if _, after := shared.counts(); after != before+1 {
		t.Errorf("a success on a clean breaker: %d writes, want 1 (evidence only)", after-before)
	}
}

// A failing shared store never fails a plan: the container goes on with its
// own state, says so once, and goes back to the shared store after the
// retry interval.
func TestSharedStoreFailureFallsBackAndRecovers(t *testing.T) {
	r, clk, shared, logs := newShared(t, 0)
	a, b := httpProv("a", 1), httpProv("b", 2)
	c := callOn(chainOf(a, b), routing.Priority, "eth_blockNumber", "[]")
	ctx := context.Background()

	shared.set(true)
	for range 3 {
		if got := planIDs(r.Plan(ctx, c)); strings.Join(got, ",") != "a,b" {
			t.Fatalf("plan with the shared store down: %v, want [a b]", got)
		}
	}
	record(r, c, a, 5, failure("server_error")) // lands in local state
	if got := planIDs(r.Plan(ctx, c)); strings.Join(got, ",") != "b" {
		t.Errorf("local state while down: plan %v, want [b]", got)
	}
	if n := strings.Count(logs.String(), "shared routing state unavailable"); n != 1 {
		t.Errorf("logged the outage %d times, want once", n)
	}
	loads, _ := shared.counts()
	if loads != 1 {
		t.Errorf("shared store asked %d times while resting, want 1", loads)
	}

	shared.set(false)
	clk.Advance(1001 * time.Millisecond)
	if got := planIDs(r.Plan(ctx, c)); strings.Join(got, ",") != "a,b" {
		t.Errorf("back on the shared store (which never saw a fail): plan %v, want [a b]", got)
	}
	if l, _ := shared.counts(); l != loads+1 {
		t.Errorf("after the retry interval: %d more shared loads, want 1", l-loads)
	}
}
