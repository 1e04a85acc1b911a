package breaker

import (
	"context"
	"testing"
	"time"
)

// The scenarios of the reference's section 9 that the breaker decides,
// played against Memory with a fake clock (explicit instants) and real
// random jitter, so deadlines are asserted as ranges.

var (
	providerA = Key{Instance: "a", Transport: "http"}
	providerB = Key{Instance: "b", Transport: "http"}
)

func admit(t *testing.T, m *Memory, k Key, now time.Time) (Decision, State) {
	t.Helper()
	d, s, err := m.Admit(context.Background(), k, now)
	if err != nil {
		t.Fatal(err)
	}
	return d, s
}

func record(t *testing.T, m *Memory, k Key, o Outcome, now time.Time) State {
	t.Helper()
	s, err := m.Record(context.Background(), k, o, now)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// within fails unless base <= got <= base + 5 % of delay.
func within(t *testing.T, what string, got, from time.Time, delay time.Duration) {
	t.Helper()
	if d := got.Sub(from); d < delay || d > delay+delay/20 {
		t.Fatalf("%s: %v after, want [%v, %v]", what, d, delay, delay+delay/20)
	}
}

// Scenario 17: 5 consecutive HTTP 5xx open A; requests never reach A while
// open; after ~60 s (+<=5 % jitter) A admits exactly one trial; a failed
// trial re-opens for 120 s, then 240 s, 480 s, capped at 600 s; 2 successful
// trials close it.
func TestScenario17(t *testing.T) {
	m := NewMemory(DefaultConfig(), RandomJitter)
	now := t0
	var s State
	for i := 1; i <= 5; i++ {
		if d, _ := admit(t, m, providerA, now); d != Allow {
			t.Fatalf("request %d: Admit = %v, want allow while closed", i, d)
		}
		s = record(t, m, providerA, fail("server_error"), now)
		if (s.Phase == Open) != (i == 5) {
			t.Fatalf("after %d server errors: %v, want open only at 5", i, s.Phase)
		}
		now = now.Add(time.Second)
	}
	openedAt := now.Add(-time.Second)
	within(t, "first open", s.OpenUntil, openedAt, 60*time.Second)

	// Subsequent requests never hit A: every second until the deadline.
	for n := openedAt; n.Before(s.OpenUntil); n = n.Add(time.Second) {
		if d, _ := admit(t, m, providerA, n); d != Reject {
			t.Fatalf("at +%v while open: Admit = %v, want reject", n.Sub(openedAt), d)
		}
	}

	for i, backoff := range []time.Duration{120 * time.Second, 240 * time.Second, 480 * time.Second, 600 * time.Second, 600 * time.Second} {
		now = s.OpenUntil
		if d, _ := admit(t, m, providerA, now); d != AllowTrial {
			t.Fatalf("reopen %d: Admit at the deadline = %v, want one trial", i+1, d)
		}
		for range 3 {
			if d, _ := admit(t, m, providerA, now); d != Busy {
				t.Fatalf("reopen %d: a second Admit while the trial is in flight = %v, want busy", i+1, d)
			}
		}
		s = record(t, m, providerA, fail("server_error"), now.Add(200*time.Millisecond))
		within(t, "reopen", s.OpenUntil, now.Add(200*time.Millisecond), backoff)
		if d, _ := admit(t, m, providerA, s.OpenUntil.Add(-time.Millisecond)); d != Reject {
			t.Fatalf("reopen %d: Admit just before the new deadline = %v, want reject", i+1, d)
		}
	}

	now = s.OpenUntil
	for i := 1; i <= 2; i++ {
		if d, _ := admit(t, m, providerA, now); d != AllowTrial {
			t.Fatalf("successful trial %d: Admit = %v, want a trial", i, d)
		}
		s = record(t, m, providerA, success, now)
		now = now.Add(10 * time.Second)
	}
	if s != (State{}) {
		t.Fatalf("after 2 successful trials: %s, want closed with every counter reset", show(s))
	}
	if d, _ := admit(t, m, providerA, now); d != Allow {
		t.Fatalf("after closing: Admit = %v, want allow", d)
	}
	// Reopens was reset: the next open starts from 60 s again.
	for range 5 {
		s = record(t, m, providerA, fail("server_error"), now)
	}
	within(t, "open after closing", s.OpenUntil, now, 60*time.Second)
}

// Scenario 18: network errors open after 3; upstream timeouts never open the
// shared breaker (the caller still fails over; that is not the breaker's).
func TestScenario18(t *testing.T) {
	m := NewMemory(DefaultConfig(), RandomJitter)
	for i := range 1000 {
		if s := record(t, m, providerA, fail("timeout"), at(time.Duration(i)*time.Second)); s != (State{}) {
			t.Fatalf("after %d timeouts: %s, want untouched", i+1, show(s))
		}
	}
	var s State
	for i := 1; i <= 3; i++ {
		s = record(t, m, providerB, fail("network_error"), t0)
		// Timeouts between network errors neither count nor break the run.
		record(t, m, providerB, fail("timeout"), t0)
		if (s.Phase == Open) != (i == 3) {
			t.Fatalf("after %d network errors: %v, want open only at 3", i, s.Phase)
		}
	}
}

// Scenario 19: with every provider open, the request fails with "retry after"
// the shortest remaining recovery time, a positive duration.
func TestScenario19(t *testing.T) {
	cfg := DefaultConfig()
	m := NewMemory(cfg, nil)
	c := Key{Instance: "c", Transport: "ws"}
	for range 5 {
		record(t, m, providerA, fail("server_error"), t0)
	}
	for range 3 {
		record(t, m, providerB, fail("auth_error"), t0.Add(-5*time.Second)) // 10 s, 5 s ago
	}
	for range 3 {
		record(t, m, c, fail("network_error"), t0.Add(-30*time.Second))
	}
	states, err := m.Load(context.Background(), []Key{providerA, providerB, c})
	if err != nil {
		t.Fatal(err)
	}
	now := t0.Add(2 * time.Second)
	var soonest time.Duration
	for i, s := range states {
		if d, _ := cfg.Admit(s, now); d != Reject {
			t.Fatalf("candidate %d: Admit = %v, want reject (all open)", i, d)
		}
		if r := cfg.RetryIn(s, now); r > 0 && (soonest == 0 || r < soonest) {
			soonest = r
		}
	}
	if soonest != 3*time.Second {
		t.Fatalf("shortest RetryIn = %v, want 3s (the auth breaker, opened 7s ago for 10s)", soonest)
	}
}

// Scenario 28: tiering reads PhaseAt. A half-open breaker (or an open one
// past its deadline) ranks with the half-open tier, ahead of a closed but
// rate-limited provider's tier, and still does while its one trial is in
// flight; an open one before its deadline is excluded.
func TestScenario28(t *testing.T) {
	cfg := DefaultConfig()
	m := NewMemory(cfg, nil)
	for range 5 {
		record(t, m, providerA, fail("server_error"), t0)
	}
	// B is rate limited: closed as far as the breaker is concerned.
	for range 10 {
		record(t, m, providerB, Outcome{Category: "rate_limit", RetryAfter: 30 * time.Second}, t0)
	}
	load := func(now time.Time) (a, b Phase) {
		s, err := m.Load(context.Background(), []Key{providerA, providerB})
		if err != nil {
			t.Fatal(err)
		}
		return cfg.PhaseAt(s[0], now), cfg.PhaseAt(s[1], now)
	}
	if a, b := load(t0.Add(30 * time.Second)); a != Open || b != Closed {
		t.Fatalf("before A's deadline: A %v, B %v; want open (excluded) and closed", a, b)
	}
	due := t0.Add(60 * time.Second)
	if a, _ := load(due); a != HalfOpen {
		t.Fatalf("at A's deadline, before any admission: A %v, want half_open", a)
	}
	if d, _ := admit(t, m, providerA, due); d != AllowTrial {
		t.Fatalf("Admit A = %v, want a trial", d)
	}
	if a, _ := load(due.Add(time.Second)); a != HalfOpen {
		t.Fatalf("with A's trial in flight: A %v, want half_open", a)
	}
}
