package breaker

import (
	"fmt"
	"testing"
	"time"
)

// t0 is the tests' fixed start of time: the fake clock is explicit instants.
var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

// counting returns the default config with extra categories counted, for the
// paths the shared-mode default never takes (timeouts, rate limits).
func counting(categories ...string) Config {
	c := DefaultConfig()
	for _, cat := range categories {
		c.Counted[cat] = true
	}
	return c
}

func fail(category string) Outcome { return Outcome{Category: category} }

var success = Outcome{Success: true}

// same compares states by instant, and says how they differ.
func same(got, want State) bool {
	return got.Phase == want.Phase && got.Failures == want.Failures && got.OpenUntil.Equal(want.OpenUntil) &&
		got.Reopens == want.Reopens && got.Successes == want.Successes && got.TrialUntil.Equal(want.TrialUntil) &&
		got.OpenedBy == want.OpenedBy
}

func show(s State) string {
	off := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return "+" + t.Sub(t0).String()
	}
	return fmt.Sprintf("{%v failures=%d openUntil=%s reopens=%d successes=%d trialUntil=%s openedBy=%q}",
		s.Phase, s.Failures, off(s.OpenUntil), s.Reopens, s.Successes, off(s.TrialUntil), s.OpenedBy)
}

// TestTransitions walks every transition of the machine, one step each, from
// an explicit state at an explicit time, without jitter (jitter has its own
// test).
func TestTransitions(t *testing.T) {
	def := DefaultConfig()
	openAt60 := State{Phase: Open, Failures: 5, OpenUntil: at(60 * time.Second), OpenedBy: "server_error"}
	halfOpen := func(reopens, successes int, lease time.Duration, openedBy string) State {
		s := State{Phase: HalfOpen, Failures: 5, OpenUntil: at(0), Reopens: reopens, Successes: successes, OpenedBy: openedBy}
		if lease > 0 {
			s.TrialUntil = at(lease)
		}
		return s
	}
	reopened := func(reopens int, delay time.Duration, openedBy string) State {
		return State{Phase: Open, Failures: 6, OpenUntil: at(delay), Reopens: reopens, OpenedBy: openedBy}
	}
	opened := func(failures int, delay time.Duration, by string) State {
		return State{Phase: Open, Failures: failures, OpenUntil: at(delay), OpenedBy: by}
	}

	tests := []struct {
		name  string
		cfg   Config
		from  State
		now   time.Duration
		admit bool    // Admit instead of Record
		o     Outcome // for Record
		want  State
		wantD Decision // for Admit
	}{
		// closed
		{name: "closed: admit allows and takes no lease", from: State{Failures: 2}, admit: true, want: State{Failures: 2}, wantD: Allow},
		{name: "closed: success resets the count", from: State{Failures: 4}, o: success, want: State{}},
		{name: "closed: success on a clean breaker", from: State{}, o: success, want: State{}},
		{name: "closed: server_error below 5", from: State{Failures: 3}, o: fail("server_error"), want: State{Failures: 4}},
		{name: "closed: server_error opens at 5", from: State{Failures: 4}, o: fail("server_error"), want: opened(5, 60*time.Second, "server_error")},
		{name: "closed: network_error below 3", from: State{Failures: 1}, o: fail("network_error"), want: State{Failures: 2}},
		{name: "closed: network_error opens at 3", from: State{Failures: 2}, o: fail("network_error"), want: opened(3, 60*time.Second, "network_error")},
		{name: "closed: counted timeout below 2", cfg: counting("timeout"), from: State{}, o: fail("timeout"), want: State{Failures: 1}},
		{name: "closed: counted timeout opens at 2", cfg: counting("timeout"), from: State{Failures: 1}, o: fail("timeout"), want: opened(2, 60*time.Second, "timeout")},
		{name: "closed: auth_error below 3", from: State{Failures: 1}, o: fail("auth_error"), want: State{Failures: 2}},
		{name: "closed: auth_error opens at 3 for 10s", from: State{Failures: 2}, o: fail("auth_error"), want: opened(3, 10*time.Second, "auth_error")},
		{name: "closed: protocol_error below 5", from: State{Failures: 3}, o: fail("protocol_error"), want: State{Failures: 4}},
		{name: "closed: protocol_error opens at FailureThreshold 5", from: State{Failures: 4}, o: fail("protocol_error"), want: opened(5, 60*time.Second, "protocol_error")},
		{name: "closed: the count spans categories, the arriving one sets the bar", from: State{Failures: 2}, o: fail("network_error"), want: opened(3, 60*time.Second, "network_error")},
		{name: "closed: server_error after network errors waits for 5", from: State{Failures: 2}, o: fail("server_error"), want: State{Failures: 3}},
		{name: "closed: timeout never counts in shared mode, nor resets", from: State{Failures: 4}, o: fail("timeout"), want: State{Failures: 4}},
		{name: "closed: rate_limit (HTTP 429) never counts", from: State{Failures: 4}, o: Outcome{Category: "rate_limit", RetryAfter: 30 * time.Second}, want: State{Failures: 4}},
		{name: "closed: JSON-RPC error of unknown code never counts", from: State{Failures: 4}, o: fail("unknown_error"), want: State{Failures: 4}},
		{name: "closed: unknown category never counts", from: State{Failures: 4}, o: fail("unknown"), want: State{Failures: 4}},
		{name: "closed: empty (neutral) outcome never counts", from: State{Failures: 4}, o: Outcome{}, want: State{Failures: 4}},
		{name: "closed: capability error never counts", from: State{Failures: 4}, o: fail("capability_violation"), want: State{Failures: 4}},
		{name: "closed: counted rate_limit opens for its RetryAfter", cfg: counting("rate_limit"), from: State{Failures: 4}, o: Outcome{Category: "rate_limit", RetryAfter: 7 * time.Second}, want: opened(5, 7*time.Second, "rate_limit")},
		{name: "closed: counted rate_limit without RetryAfter opens for Recovery", cfg: counting("rate_limit"), from: State{Failures: 4}, o: fail("rate_limit"), want: opened(5, 60*time.Second, "rate_limit")},
		{name: "closed: a RetryAfter beyond MaxRecovery is capped", cfg: counting("rate_limit"), from: State{Failures: 4}, o: Outcome{Category: "rate_limit", RetryAfter: 2 * time.Hour}, want: opened(5, 600*time.Second, "rate_limit")},

		// open
		{name: "open: admit rejects before the deadline", from: openAt60, now: 59 * time.Second, admit: true, want: openAt60, wantD: Reject},
		{name: "open: admit at the deadline turns half-open with one trial", from: openAt60, now: 60 * time.Second, admit: true,
			want: State{Phase: HalfOpen, Failures: 5, OpenUntil: at(60 * time.Second), TrialUntil: at(90 * time.Second), OpenedBy: "server_error"}, wantD: AllowTrial},
		{name: "open: admit long after the deadline", from: openAt60, now: time.Hour, admit: true,
			want: State{Phase: HalfOpen, Failures: 5, OpenUntil: at(60 * time.Second), TrialUntil: at(time.Hour + 30*time.Second), OpenedBy: "server_error"}, wantD: AllowTrial},
		{name: "open: a failure does not extend the deadline", from: openAt60, now: 30 * time.Second, o: fail("server_error"), want: openAt60},
		{name: "open: a late success does not cut it short", from: openAt60, now: 30 * time.Second, o: success, want: openAt60},
		{name: "open: a neutral outcome changes nothing", from: openAt60, now: 30 * time.Second, o: fail("timeout"), want: openAt60},

		// half-open
		{name: "half-open: busy while a trial holds the lease", from: halfOpen(0, 0, 30*time.Second, "server_error"), now: 30*time.Second - time.Nanosecond, admit: true,
			want: halfOpen(0, 0, 30*time.Second, "server_error"), wantD: Busy},
		{name: "half-open: an expired lease lets a new trial in", from: halfOpen(0, 0, 30*time.Second, "server_error"), now: 30 * time.Second, admit: true,
			want: halfOpen(0, 0, 60*time.Second, "server_error"), wantD: AllowTrial},
		{name: "half-open: a released lease lets a new trial in", from: halfOpen(1, 1, 0, "server_error"), now: 0, admit: true,
			want: halfOpen(1, 1, 30*time.Second, "server_error"), wantD: AllowTrial},
		{name: "half-open: first success counts and releases the lease", from: halfOpen(2, 0, 30*time.Second, "server_error"), o: success,
			want: State{Phase: HalfOpen, OpenUntil: at(0), Reopens: 2, Successes: 1, OpenedBy: "server_error"}},
		{name: "half-open: second success closes and resets everything", from: State{Phase: HalfOpen, OpenUntil: at(0), Reopens: 3, Successes: 1, TrialUntil: at(30 * time.Second), OpenedBy: "server_error"}, o: success, want: State{}},
		{name: "half-open: one success closes a breaker a rate limit opened", from: halfOpen(0, 0, 30*time.Second, "rate_limit"), o: success, want: State{}},
		{name: "half-open: a failed trial reopens for 120s", from: halfOpen(0, 0, 30*time.Second, "server_error"), o: fail("server_error"), want: reopened(1, 120*time.Second, "server_error")},
		{name: "half-open: second failed trial reopens for 240s", from: halfOpen(1, 0, 30*time.Second, "server_error"), o: fail("server_error"), want: reopened(2, 240*time.Second, "server_error")},
		{name: "half-open: third failed trial reopens for 480s", from: halfOpen(2, 0, 30*time.Second, "server_error"), o: fail("server_error"), want: reopened(3, 480*time.Second, "server_error")},
		{name: "half-open: fourth failed trial is capped at 600s", from: halfOpen(3, 0, 30*time.Second, "server_error"), o: fail("server_error"), want: reopened(4, 600*time.Second, "server_error")},
		{name: "half-open: later failed trials stay at 600s", from: halfOpen(9, 0, 30*time.Second, "server_error"), o: fail("network_error"), want: reopened(10, 600*time.Second, "network_error")},
		{name: "half-open: a failure after one success still reopens", from: halfOpen(0, 1, 30*time.Second, "server_error"), o: fail("server_error"), want: reopened(1, 120*time.Second, "server_error")},
		{name: "half-open: a failed auth trial backs off from Recovery", from: halfOpen(0, 0, 30*time.Second, "auth_error"), o: fail("auth_error"), want: reopened(1, 120*time.Second, "auth_error")},
		{name: "half-open: a counted rate limit reopens for its RetryAfter", cfg: counting("rate_limit"), from: halfOpen(2, 0, 30*time.Second, "server_error"),
			o: Outcome{Category: "rate_limit", RetryAfter: 5 * time.Second}, want: reopened(3, 5*time.Second, "rate_limit")},
		{name: "half-open: a timeout releases the lease and nothing else", from: halfOpen(1, 1, 30*time.Second, "server_error"), o: fail("timeout"), want: halfOpen(1, 1, 0, "server_error")},
		{name: "half-open: a rate limit releases the lease and nothing else", from: halfOpen(1, 0, 30*time.Second, "server_error"), o: fail("rate_limit"), want: halfOpen(1, 0, 0, "server_error")},
		{name: "half-open: an unknown JSON-RPC code releases the lease and nothing else", from: halfOpen(0, 0, 30*time.Second, "network_error"), o: fail("unknown_error"), want: halfOpen(0, 0, 0, "network_error")},

		// storage gave us something we do not know
		{name: "unknown phase: admitted as a half-open trial", from: State{Phase: Phase(9)}, admit: true, want: State{Phase: HalfOpen, TrialUntil: at(30 * time.Second)}, wantD: AllowTrial},
		{name: "unknown phase: record changes nothing", from: State{Phase: Phase(9), Failures: 1}, o: fail("server_error"), want: State{Phase: Phase(9), Failures: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			if cfg.Counted == nil {
				cfg = def
			}
			now := at(tt.now)
			var got State
			if tt.admit {
				var d Decision
				d, got = cfg.Admit(tt.from, now)
				if d != tt.wantD {
					t.Errorf("Admit decision = %v, want %v", d, tt.wantD)
				}
			} else {
				got = cfg.Record(tt.from, tt.o, now, nil)
			}
			if !same(got, tt.want) {
				t.Errorf("got  %s\nwant %s", show(got), show(tt.want))
			}
		})
	}
}

// TestThresholdsFromZero records consecutive failures of one category into a
// fresh breaker and checks it opens on exactly the category's threshold.
func TestThresholdsFromZero(t *testing.T) {
	tests := []struct {
		category string
		cfg      Config
		opensAt  int // 0: never
	}{
		{"server_error", DefaultConfig(), 5},
		{"network_error", DefaultConfig(), 3},
		{"auth_error", DefaultConfig(), 3},
		{"protocol_error", DefaultConfig(), 5},
		{"timeout", counting("timeout"), 2},
		{"timeout", DefaultConfig(), 0},
		{"rate_limit", DefaultConfig(), 0},
		{"unknown_error", DefaultConfig(), 0},
		{"invalid_params", DefaultConfig(), 0},
	}
	for _, tt := range tests {
		name := tt.category
		if tt.cfg.Counted["timeout"] {
			name += " (counted)"
		}
		t.Run(name, func(t *testing.T) {
			var s State
			for i := 1; i <= 100; i++ {
				s = tt.cfg.Record(s, fail(tt.category), at(0), nil)
				if open := s.Phase == Open; open != (i == tt.opensAt) {
					t.Fatalf("after %d failures: phase %v, want open only at %d", i, s.Phase, tt.opensAt)
				}
				if s.Phase == Open {
					return
				}
			}
			if tt.opensAt != 0 {
				t.Fatalf("never opened, want open at %d", tt.opensAt)
			}
		})
	}
}

// TestJitter checks the deadline is delay plus what the jitter function
// returns, that it is asked for at most a twentieth of the delay, and that a
// misbehaving jitter function is clamped.
func TestJitter(t *testing.T) {
	cfg := counting("rate_limit")
	tests := []struct {
		name    string
		from    State
		o       Outcome
		delay   time.Duration
		returns func(max time.Duration) time.Duration
		want    time.Duration // added to delay
	}{
		{"full jitter on a first open", State{Failures: 4}, fail("server_error"), 60 * time.Second, func(m time.Duration) time.Duration { return m }, 3 * time.Second},
		{"half jitter", State{Failures: 4}, fail("server_error"), 60 * time.Second, func(m time.Duration) time.Duration { return m / 2 }, 1500 * time.Millisecond},
		{"auth delay", State{Failures: 2}, fail("auth_error"), 10 * time.Second, func(m time.Duration) time.Duration { return m }, 500 * time.Millisecond},
		{"rate limit delay", State{Failures: 4}, Outcome{Category: "rate_limit", RetryAfter: 20 * time.Second}, 20 * time.Second, func(m time.Duration) time.Duration { return m }, time.Second},
		{"backoff delay", State{Phase: HalfOpen, Reopens: 1}, fail("server_error"), 240 * time.Second, func(m time.Duration) time.Duration { return m }, 12 * time.Second},
		{"capped delay", State{Phase: HalfOpen, Reopens: 4}, fail("server_error"), 600 * time.Second, func(m time.Duration) time.Duration { return m }, 30 * time.Second},
		{"too much is clamped to the max", State{Failures: 4}, fail("server_error"), 60 * time.Second, func(m time.Duration) time.Duration { return time.Hour }, 3 * time.Second},
		{"negative is clamped to zero", State{Failures: 4}, fail("server_error"), 60 * time.Second, func(m time.Duration) time.Duration { return -time.Hour }, 0},
		{"random stays in range", State{Failures: 4}, fail("server_error"), 60 * time.Second, nil, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.returns == nil {
				for range 1000 {
					s := cfg.Record(tt.from, tt.o, t0, RandomJitter)
					if j := s.OpenUntil.Sub(t0) - tt.delay; j < 0 || j > tt.delay/20 {
						t.Fatalf("random jitter %v outside [0, %v]", j, tt.delay/20)
					}
				}
				return
			}
			var asked time.Duration
			s := cfg.Record(tt.from, tt.o, t0, func(m time.Duration) time.Duration { asked = m; return tt.returns(m) })
			if asked != tt.delay/20 {
				t.Errorf("jitter asked for max %v, want %v (delay/20)", asked, tt.delay/20)
			}
			if got := s.OpenUntil.Sub(t0); got != tt.delay+tt.want {
				t.Errorf("OpenUntil = +%v, want +%v", got, tt.delay+tt.want)
			}
		})
	}
}

func TestRandomJitter(t *testing.T) {
	for _, m := range []time.Duration{-time.Second, 0} {
		if got := RandomJitter(m); got != 0 {
			t.Errorf("RandomJitter(%v) = %v, want 0", m, got)
		}
	}
	const m = 3 * time.Second
	var sawLow, sawHigh bool
	for range 10000 {
		got := RandomJitter(m)
		if got < 0 || got > m {
			t.Fatalf("RandomJitter(%v) = %v, outside [0, %v]", m, got, m)
		}
		sawLow = sawLow || got < m/4
		sawHigh = sawHigh || got > 3*m/4
	}
	if !sawLow || !sawHigh {
		t.Errorf("10000 draws did not spread over [0, %v]: low %v, high %v", m, sawLow, sawHigh)
	}
}

// TestTiming covers the read-only views: Due for a caller's recovery timer,
// RetryIn for the "retry after" of an exhausted request, PhaseAt for tiering.
func TestTiming(t *testing.T) {
	cfg := DefaultConfig()
	open := State{Phase: Open, OpenUntil: at(60 * time.Second), OpenedBy: "server_error"}
	half := State{Phase: HalfOpen, TrialUntil: at(30 * time.Second)}
	tests := []struct {
		name    string
		s       State
		now     time.Duration
		due     bool
		retryIn time.Duration
		phase   Phase
	}{
		{"closed", State{Failures: 3}, 0, false, 0, Closed},
		{"open, just opened", open, 0, false, 60 * time.Second, Open},
		{"open, 42.5s in", open, 42500 * time.Millisecond, false, 17500 * time.Millisecond, Open},
		{"open, a nanosecond early", open, 60*time.Second - time.Nanosecond, false, time.Nanosecond, Open},
		{"open, at the deadline", open, 60 * time.Second, true, 0, HalfOpen},
		{"open, past the deadline", open, time.Hour, true, 0, HalfOpen},
		{"half-open with a trial in flight", half, 0, false, 0, HalfOpen},
		{"half-open without a trial", State{Phase: HalfOpen}, 0, false, 0, HalfOpen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := at(tt.now)
			if got := cfg.Due(tt.s, now); got != tt.due {
				t.Errorf("Due = %v, want %v", got, tt.due)
			}
			if got := cfg.RetryIn(tt.s, now); got != tt.retryIn {
				t.Errorf("RetryIn = %v, want %v", got, tt.retryIn)
			}
			if got := cfg.PhaseAt(tt.s, now); got != tt.phase {
				t.Errorf("PhaseAt = %v, want %v", got, tt.phase)
			}
		})
	}
}

func TestRestore(t *testing.T) {
	cfg := DefaultConfig()
	tests := []struct {
		name string
		s    State
		now  time.Duration
		want State
	}{
		{"closed stays closed", State{Failures: 2}, 0, State{Failures: 2}},
		{"an unexpired open deadline is kept", State{Phase: Open, OpenUntil: at(45 * time.Second), OpenedBy: "network_error"}, 0,
			State{Phase: Open, OpenUntil: at(45 * time.Second), OpenedBy: "network_error"}},
		{"an open deadline beyond any this config sets is clamped", State{Phase: Open, OpenUntil: at(24 * time.Hour), Reopens: 3}, 0,
			State{Phase: Open, OpenUntil: at(630 * time.Second), Reopens: 3}},
		{"an expired open deadline becomes half-open", State{Phase: Open, Failures: 5, OpenUntil: at(-time.Second), Reopens: 2, OpenedBy: "server_error"}, 0,
			State{Phase: HalfOpen, Failures: 5, OpenUntil: at(-time.Second), Reopens: 2, OpenedBy: "server_error"}},
		{"half-open keeps a live lease", State{Phase: HalfOpen, TrialUntil: at(10 * time.Second), Successes: 1}, 0,
			State{Phase: HalfOpen, TrialUntil: at(10 * time.Second), Successes: 1}},
		{"half-open lease beyond TrialLease is clamped", State{Phase: HalfOpen, TrialUntil: at(time.Hour)}, 0,
			State{Phase: HalfOpen, TrialUntil: at(30 * time.Second)}},
		{"an unknown phase becomes half-open", State{Phase: Phase(7), Failures: 1}, 0, State{Phase: HalfOpen, Failures: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cfg.Restore(tt.s, at(tt.now)); !same(got, tt.want) {
				t.Errorf("got  %s\nwant %s", show(got), show(tt.want))
			}
		})
	}
}

func TestNames(t *testing.T) {
	for _, tt := range []struct {
		got, want string
	}{
		{Closed.String(), "closed"},
		{Open.String(), "open"},
		{HalfOpen.String(), "half_open"},
		{Phase(9).String(), "phase(9)"},
		{Allow.String(), "allow"},
		{AllowTrial.String(), "half_open_trial"},
		{Reject.String(), "circuit_open"},
		{Busy.String(), "half_open_busy"},
		{Decision(9).String(), "decision(9)"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	var zero Decision
	if zero.Allowed() || Reject.Allowed() || Busy.Allowed() || !Allow.Allowed() || !AllowTrial.Allowed() {
		t.Error("Allowed: only Allow and AllowTrial may dispatch, and the zero Decision must refuse")
	}
}

func TestDefaultConfig(t *testing.T) {
	c := DefaultConfig()
	if c.FailureThreshold != 5 || c.SuccessThreshold != 2 || c.Recovery != 60*time.Second ||
		c.MaxRecovery != 600*time.Second || c.AuthRecovery != 10*time.Second || c.TrialLease != 30*time.Second {
		t.Errorf("DefaultConfig timings/thresholds = %+v, want Lasso's 5, 2, 60s, 600s, 10s and a 30s lease", c)
	}
	for cat, want := range map[string]int{"server_error": 5, "network_error": 3, "timeout": 2, "auth_error": 3, "protocol_error": 5, "unknown": 5} {
		if got := c.threshold(cat); got != want {
			t.Errorf("threshold(%s) = %d, want %d", cat, got, want)
		}
	}
	for cat, want := range map[string]bool{"server_error": true, "network_error": true, "protocol_error": true, "auth_error": true,
		"timeout": false, "rate_limit": false, "unknown": false, "unknown_error": false, "": false} {
		if got := c.Counted[cat]; got != want {
			t.Errorf("Counted[%q] = %v, want %v", cat, got, want)
		}
	}
	c.Counted["timeout"] = true
	if DefaultConfig().Counted["timeout"] {
		t.Error("DefaultConfig shares its maps between calls")
	}
}
