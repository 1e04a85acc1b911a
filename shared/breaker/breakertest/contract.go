package breakertest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/breaker"
)

// t0 is the suite's fixed start of time; every instant is an offset from it.
var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// Contract runs the store contract. newStore must return an empty store,
// isolated from any other it returned, that applies cfg with any jitter
// within [0, max]; the suite asserts deadlines as ranges for that reason.
func Contract(t *testing.T, newStore func(t *testing.T, cfg breaker.Config) breaker.Store) {
	t.Helper()
	ctx := context.Background()
	a := breaker.Key{Instance: "alchemy-eth", Transport: "http"}
	aWS := breaker.Key{Instance: "alchemy-eth", Transport: "ws"}
	b := breaker.Key{Instance: "infura-eth", Transport: "http"}
	server := breaker.Outcome{Category: "server_error"}

	// open records failures of server_error on key at t0 until the default
	// threshold opens it.
	open := func(t *testing.T, s breaker.Store, key breaker.Key) breaker.State {
		t.Helper()
		var st breaker.State
		for range 5 {
			st = record(t, s, key, server, t0)
		}
		if st.Phase != breaker.Open {
			t.Fatalf("after 5 server errors: phase %v, want open", st.Phase)
		}
		return st
	}

	t.Run("unknown keys read as closed, in order", func(t *testing.T) {
		s := newStore(t, breaker.DefaultConfig())
		got := load(t, s, []breaker.Key{a, b})
		if len(got) != 2 || !same(got[0], breaker.State{}) || !same(got[1], breaker.State{}) {
			t.Fatalf("Load of unknown keys = %+v, want two zero states", got)
		}
		if got := load(t, s, nil); len(got) != 0 {
			t.Fatalf("Load(nil) = %+v, want empty", got)
		}
	})

	t.Run("keys are separate per instance and transport", func(t *testing.T) {
		s := newStore(t, breaker.DefaultConfig())
		open(t, s, a)
		got := load(t, s, []breaker.Key{aWS, a, b, a})
		want := []breaker.Phase{breaker.Closed, breaker.Open, breaker.Closed, breaker.Open}
		for i := range want {
			if got[i].Phase != want[i] {
				t.Errorf("Load[%d].Phase = %v, want %v", i, got[i].Phase, want[i])
			}
		}
	})

	t.Run("record returns what load reads", func(t *testing.T) {
		s := newStore(t, breaker.DefaultConfig())
		rec := record(t, s, a, breaker.Outcome{Category: "network_error"}, t0)
		if rec.Failures != 1 || rec.Phase != breaker.Closed {
			t.Fatalf("Record = %+v, want closed with 1 failure", rec)
		}
		if got := load(t, s, []breaker.Key{a}); !same(got[0], rec) {
			t.Fatalf("Load = %+v, want %+v", got[0], rec)
		}
		rec = record(t, s, a, breaker.Outcome{Success: true}, t0)
		if got := load(t, s, []breaker.Key{a}); !same(rec, breaker.State{}) || !same(got[0], breaker.State{}) {
			t.Fatalf("after a success: Record = %+v, Load = %+v, want zero states", rec, got[0])
		}
	})

	t.Run("thresholds and neutral categories apply", func(t *testing.T) {
		s := newStore(t, breaker.DefaultConfig())
		for i := range 10 {
			st := record(t, s, a, breaker.Outcome{Category: "timeout"}, t0)
			st2 := record(t, s, a, breaker.Outcome{Category: "rate_limit", RetryAfter: time.Second}, t0)
			if st.Phase != breaker.Closed || st2.Phase != breaker.Closed || st2.Failures != 0 {
				t.Fatalf("after %d timeouts and rate limits: %+v, want closed with no failures", i+1, st2)
			}
		}
		for i := range 3 {
			st := record(t, s, a, breaker.Outcome{Category: "network_error"}, t0)
			if want := i == 2; (st.Phase == breaker.Open) != want {
				t.Fatalf("after %d network errors: phase %v, want open=%v", i+1, st.Phase, want)
			}
		}
	})

	t.Run("open rejects until due, then one trial, then busy until the lease expires", func(t *testing.T) {
		cfg := breaker.DefaultConfig()
		s := newStore(t, cfg)
		if d, _, err := s.Admit(ctx, a, t0); err != nil || d != breaker.Allow {
			t.Fatalf("closed Admit = %v, %v; want allow", d, err)
		}
		st := open(t, s, a)
		inRange(t, "OpenUntil", st.OpenUntil, t0.Add(cfg.Recovery), cfg.Recovery/20)
		if d, _, _ := s.Admit(ctx, a, st.OpenUntil.Add(-time.Millisecond)); d != breaker.Reject {
			t.Fatalf("Admit just before the deadline = %v, want reject", d)
		}
		due := st.OpenUntil
		d, trial, err := s.Admit(ctx, a, due)
		if err != nil || d != breaker.AllowTrial || trial.Phase != breaker.HalfOpen || !trial.TrialUntil.Equal(due.Add(cfg.TrialLease)) {
			t.Fatalf("Admit at the deadline = %v, %+v, %v; want a trial holding the lease until +%v", d, trial, err, cfg.TrialLease)
		}
		if got := load(t, s, []breaker.Key{a}); !same(got[0], trial) {
			t.Fatalf("Load after the trial = %+v, want the lease kept: %+v", got[0], trial)
		}
		if d, _, _ := s.Admit(ctx, a, trial.TrialUntil.Add(-time.Millisecond)); d != breaker.Busy {
			t.Fatalf("Admit while the lease holds = %v, want busy", d)
		}
		if d, _, _ := s.Admit(ctx, a, trial.TrialUntil); d != breaker.AllowTrial {
			t.Fatalf("Admit once the lease expired = %v, want a new trial", d)
		}
	})

	t.Run("two successful trials close, resetting everything", func(t *testing.T) {
		s := newStore(t, breaker.DefaultConfig())
		st := open(t, s, a)
		now := st.OpenUntil
		for i := range 2 {
			if d, _, _ := s.Admit(ctx, a, now); d != breaker.AllowTrial {
				t.Fatalf("trial %d: Admit = %v, want a trial", i+1, d)
			}
			st = record(t, s, a, breaker.Outcome{Success: true}, now)
		}
		if !same(st, breaker.State{}) {
			t.Fatalf("after 2 successful trials: %+v, want the zero state", st)
		}
		if d, _, _ := s.Admit(ctx, a, now); d != breaker.Allow {
			t.Fatalf("Admit after closing = %v, want allow", d)
		}
	})

	t.Run("a failed trial reopens with doubled backoff", func(t *testing.T) {
		cfg := breaker.DefaultConfig()
		s := newStore(t, cfg)
		st := open(t, s, a)
		for i, want := range []time.Duration{120 * time.Second, 240 * time.Second, 480 * time.Second, 600 * time.Second} {
			now := st.OpenUntil
			if d, _, _ := s.Admit(ctx, a, now); d != breaker.AllowTrial {
				t.Fatalf("reopen %d: Admit = %v, want a trial", i+1, d)
			}
			st = record(t, s, a, server, now)
			if st.Phase != breaker.Open || st.Reopens != i+1 {
				t.Fatalf("reopen %d: %+v, want open with Reopens %d", i+1, st, i+1)
			}
			inRange(t, "OpenUntil", st.OpenUntil, now.Add(want), want/20)
		}
	})

	t.Run("a neutral outcome releases the lease", func(t *testing.T) {
		s := newStore(t, breaker.DefaultConfig())
		st := open(t, s, a)
		now := st.OpenUntil
		if d, _, _ := s.Admit(ctx, a, now); d != breaker.AllowTrial {
			t.Fatalf("Admit at the deadline = %v, want a trial", d)
		}
		st = record(t, s, a, breaker.Outcome{Category: "timeout"}, now)
		if st.Phase != breaker.HalfOpen || !st.TrialUntil.IsZero() {
			t.Fatalf("after a neutral trial: %+v, want half-open without a lease", st)
		}
		if d, _, _ := s.Admit(ctx, a, now); d != breaker.AllowTrial {
			t.Fatalf("Admit after the release = %v, want a trial", d)
		}
	})

	t.Run("exactly one of many concurrent admissions gets the trial", func(t *testing.T) {
		s := newStore(t, breaker.DefaultConfig())
		st := open(t, s, a)
		const n = 50
		if trials, busy := AdmitRace(t, []breaker.Store{s}, a, st.OpenUntil, n); trials != 1 || busy != n-1 {
			t.Fatalf("%d concurrent admissions: %d trials, %d busy; want 1 and %d", n, trials, busy, n-1)
		}
	})

	t.Run("concurrent records lose no update", func(t *testing.T) {
		cfg := breaker.DefaultConfig()
		cfg.Thresholds = map[string]int{"server_error": 1000}
		s := newStore(t, cfg)
		const n = 50
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				if _, err := s.Record(ctx, a, server, t0); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if got := load(t, s, []breaker.Key{a}); got[0].Failures != n {
			t.Fatalf("after %d concurrent failures: Failures = %d", n, got[0].Failures)
		}
	})

	t.Run("a cancelled context is an error", func(t *testing.T) {
		s := newStore(t, breaker.DefaultConfig())
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := s.Load(cctx, []breaker.Key{a}); !errors.Is(err, context.Canceled) {
			t.Errorf("Load: err = %v, want context.Canceled", err)
		}
		if d, _, err := s.Admit(cctx, a, t0); !errors.Is(err, context.Canceled) || d.Allowed() {
			t.Errorf("Admit: %v, %v; want a refusal with context.Canceled", d, err)
		}
		if _, err := s.Record(cctx, a, server, t0); !errors.Is(err, context.Canceled) {
			t.Errorf("Record: err = %v, want context.Canceled", err)
		}
	})
}

func load(t *testing.T, s breaker.Store, keys []breaker.Key) []breaker.State {
	t.Helper()
	got, err := s.Load(context.Background(), keys)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(got) != len(keys) {
		t.Fatalf("Load of %d keys returned %d states", len(keys), len(got))
	}
	return got
}

func record(t *testing.T, s breaker.Store, key breaker.Key, o breaker.Outcome, now time.Time) breaker.State {
	t.Helper()
	got, err := s.Record(context.Background(), key, o, now)
	if err != nil {
		t.Fatalf("Record: %v", err)
	}
	return got
}

// same compares states by instant rather than by time.Time representation,
// which a store that serialises times need not preserve.
func same(a, b breaker.State) bool {
	return a.Phase == b.Phase && a.Failures == b.Failures && a.OpenUntil.Equal(b.OpenUntil) &&
		a.Reopens == b.Reopens && a.Successes == b.Successes && a.TrialUntil.Equal(b.TrialUntil) &&
		a.OpenedBy == b.OpenedBy
}

// inRange checks base <= got <= base+jitter.
func inRange(t *testing.T, what string, got, base time.Time, jitter time.Duration) {
	t.Helper()
	if got.Before(base) || got.After(base.Add(jitter)) {
		t.Fatalf("%s = +%v, want within [+%v, +%v]", what, got.Sub(t0), base.Sub(t0), base.Add(jitter).Sub(t0))
	}
}

// AdmitRace admits key at at from n goroutines released at once, spread
// over stores in turn (several stores sharing one backend play several
// processes), and counts the trials and busy answers they got.
func AdmitRace(t *testing.T, stores []breaker.Store, key breaker.Key, at time.Time, n int) (trials, busy int) {
	t.Helper()
	var nTrials, nBusy atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for g := range n {
		wg.Go(func() {
			<-start
			d, _, err := stores[g%len(stores)].Admit(context.Background(), key, at)
			switch {
			case err != nil:
				t.Error(err)
			case d == breaker.AllowTrial:
				nTrials.Add(1)
			case d == breaker.Busy:
				nBusy.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	return int(nTrials.Load()), int(nBusy.Load())
}
