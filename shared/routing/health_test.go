package routing_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/breaker"
	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/proxy"
	"github.com/lasso-serverless/lasso/shared/routing"
)

var allStrategies = []string{routing.Priority, routing.LoadBalanced, routing.Fastest, routing.LatencyWeighted, ""}

// exact returns Router options with a breaker store that adds no jitter, so
// open deadlines are exact.
func exact() (routing.Options, *breaker.Memory) {
	cfg := breaker.DefaultConfig()
	store := breaker.NewMemory(cfg, nil)
	return routing.Options{Breakers: store, Breaker: cfg}, store
}

func stateOf(t *testing.T, store breaker.Store, p *profile.Provider) breaker.State {
	t.Helper()
	st, err := store.Load(context.Background(), []breaker.Key{{Instance: p.InstanceID, Transport: proxy.HTTP}})
	if err != nil {
		t.Fatal(err)
	}
	return st[0]
}

// breakers returns each planned channel's breaker state by provider id.
func breakers(p proxy.Plan) map[string]string {
	out := map[string]string{}
	for _, c := range p.Candidates {
		out[c.Provider.ID] = c.Breaker
	}
	return out
}

// Scenario 28: closed before half-open, and either before the same
// rate-limited, whatever the strategy ranked; the strategy's order is kept
// within a tier.
func TestTiers(t *testing.T) {
	// a: closed, rate-limited (tier 3); b: half-open (tier 2); c: closed
	// (tier 1); d: half-open, rate-limited (tier 4). Priorities and latencies
	// put them in the opposite order.
	a, b, c, d := httpProv("a", 1), httpProv("b", 2), httpProv("c", 3), httpProv("d", 4)
	r, clk := newRouter(routing.Options{})
	call := callOn(chainOf(d, c, b, a), "", "eth_blockNumber", `[]`)
	record(r, call, a, 3, success(10*time.Millisecond))
	record(r, call, b, 3, success(20*time.Millisecond))
	record(r, call, c, 3, success(300*time.Millisecond))
	record(r, call, d, 3, success(400*time.Millisecond))
	record(r, call, b, 5, failure("server_error"))
	record(r, call, d, 5, failure("server_error"))
	clk.Advance(64 * time.Second) // past 60 s + at most 5 % jitter
	record(r, call, a, 1, failure("rate_limit"))
	record(r, call, d, 1, failure("rate_limit"))
	for _, s := range allStrategies {
		call.Strategy = s
		for range 50 {
			p := r.Plan(context.Background(), call)
			if got, want := planIDs(p), []string{"c", "b", "a", "d"}; !slices.Equal(got, want) {
				t.Fatalf("strategy %q: Plan = %v, want %v", s, got, want)
			}
			want := map[string]string{"a": "closed", "b": "half_open", "c": "closed", "d": "half_open"}
			if got := breakers(p); !mapsEqual(got, want) {
				t.Fatalf("strategy %q: breaker states = %v, want %v", s, got, want)
			}
		}
	}
	// When the rate limits expire, a and d climb back: tier 1 {a, c} in
	// priority order, then tier 2 {b, d}.
	clk.Advance(30 * time.Second)
	call.Strategy = routing.Priority
	if got, want := plan(r, call), []string{"a", "c", "b", "d"}; !slices.Equal(got, want) {
		t.Errorf("rate limits expired: Plan = %v, want %v", got, want)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// Within a tier the strategy's order stands: two rate-limited channels keep
// their priority order behind the healthy one.
func TestTiersKeepStrategyOrderWithin(t *testing.T) {
	a, b, c := httpProv("a", 1), httpProv("b", 2), httpProv("c", 3)
	r, _ := newRouter(routing.Options{})
	call := callOn(chainOf(a, b, c), routing.Priority, "eth_blockNumber", `[]`)
	record(r, call, a, 1, failure("rate_limit"))
	record(r, call, b, 1, failure("rate_limit"))
	if got, want := plan(r, call), []string{"c", "a", "b"}; !slices.Equal(got, want) {
		t.Errorf("Plan = %v, want %v", got, want)
	}
}

// Open breakers are left out; past its deadline a breaker is planned
// half-open; with every breaker open the plan says so, with the shortest
// wait.
func TestOpenBreakers(t *testing.T) {
	opts, store := exact()
	r, clk := newRouter(opts)
	a, b, c := httpProv("a", 1), httpProv("b", 2), httpProv("c", 3)
	call := callOn(chainOf(a, b, c), routing.Priority, "eth_blockNumber", `[]`)

	record(r, call, a, 5, failure("server_error")) // a open until +60s
	p := r.Plan(context.Background(), call)
	if got, want := planIDs(p), []string{"b", "c"}; !slices.Equal(got, want) || p.AllOpen {
		t.Errorf("a open: Plan = %v (AllOpen %v), want %v", got, p.AllOpen, want)
	}
	clk.Advance(10 * time.Second)
	record(r, call, b, 3, failure("network_error")) // b open until +70s
	clk.Advance(5 * time.Second)
	record(r, call, c, 5, failure("protocol_error")) // c open until +75s
	clk.Advance(5 * time.Second)                     // now +20s
	p = r.Plan(context.Background(), call)
	if len(p.Candidates) != 0 || !p.AllOpen || p.RetryIn != 40*time.Second {
		t.Errorf("all open: Plan = %v, AllOpen %v, RetryIn %v; want none, true, 40s", planIDs(p), p.AllOpen, p.RetryIn)
	}
	if st := stateOf(t, store, a); st.Phase != breaker.Open {
		t.Errorf("a's breaker = %v, want open", st.Phase)
	}
	clk.Advance(40 * time.Second) // +60s: a due
	p = r.Plan(context.Background(), call)
	if got := planIDs(p); !slices.Equal(got, []string{"a"}) || p.AllOpen || p.Candidates[0].Breaker != "half_open" {
		t.Errorf("a due: Plan = %v %v, want [a] half_open", got, breakers(p))
	}
}

// With the default (jittered) store the wait is the deadline plus at most
// 5 % jitter.
func TestAllOpenRetryInWithJitter(t *testing.T) {
	r, clk := newRouter(routing.Options{})
	a, b := httpProv("a", 1), httpProv("b", 2)
	call := callOn(chainOf(a, b), routing.Priority, "eth_blockNumber", `[]`)
	record(r, call, a, 5, failure("server_error"))
	record(r, call, b, 5, failure("server_error"))
	clk.Advance(20 * time.Second)
	p := r.Plan(context.Background(), call)
	if !p.AllOpen || p.RetryIn < 40*time.Second || p.RetryIn > 43*time.Second {
		t.Errorf("Plan AllOpen %v RetryIn %v, want true and 40s..43s", p.AllOpen, p.RetryIn)
	}
}

// Scenario 17 basics through Record and Admit: a due breaker grants one
// trial at a time; two successes close it; a failed trial reopens it for
// twice the recovery time.
func TestHalfOpenTrials(t *testing.T) {
	opts, store := exact()
	r, clk := newRouter(opts)
	a, b := httpProv("a", 1), httpProv("b", 2)
	call := callOn(chainOf(a, b), routing.Priority, "eth_blockNumber", `[]`)
	ctx := context.Background()

	if got := r.Admit(ctx, call, channel(a)); got != proxy.Admit {
		t.Errorf("closed channel: Admit = %v, want Admit", got)
	}
	// A candidate whose state was not planned asks the store.
	unplanned := proxy.Candidate{Provider: a, Transport: proxy.HTTP}
	if got := r.Admit(ctx, call, unplanned); got != proxy.Admit {
		t.Errorf("closed channel, state unknown to the caller: Admit = %v, want Admit", got)
	}
	record(r, call, a, 5, failure("server_error"))
	clk.Advance(60 * time.Second)
	ca, _ := candidateOf(r.Plan(ctx, call), "a")
	if ca.Breaker != "half_open" {
		t.Fatalf("a planned %q, want half_open", ca.Breaker)
	}
	if got := r.Admit(ctx, call, ca); got != proxy.Trial {
		t.Fatalf("first Admit = %v, want Trial", got)
	}
	if got := r.Admit(ctx, call, ca); got != proxy.Refused {
		t.Errorf("second Admit while the trial runs = %v, want Refused", got)
	}
	// A neutral outcome ends the trial without judging: the next caller may
	// try.
	r.Record(ctx, call, ca, proxy.Outcome{Category: "invalid_params", Neutral: true})
	if got := r.Admit(ctx, call, ca); got != proxy.Trial {
		t.Errorf("Admit after a neutral trial = %v, want Trial", got)
	}
	r.Record(ctx, call, ca, success(time.Millisecond))
	if st := stateOf(t, store, a); st.Phase != breaker.HalfOpen {
		t.Errorf("after one successful trial: %v, want still half-open", st.Phase)
	}
	if got := r.Admit(ctx, call, ca); got != proxy.Trial {
		t.Errorf("Admit for the second trial = %v, want Trial", got)
	}
	r.Record(ctx, call, ca, success(time.Millisecond))
	if st := stateOf(t, store, a); st.Phase != breaker.Closed {
		t.Errorf("after two successful trials: %v, want closed", st.Phase)
	}
	if ca, _ := candidateOf(r.Plan(ctx, call), "a"); ca.Breaker != "closed" {
		t.Errorf("a planned %q, want closed", ca.Breaker)
	}

	// Open again, fail the trial: reopened for 120 s.
	record(r, call, a, 5, failure("server_error"))
	clk.Advance(60 * time.Second)
	ca, _ = candidateOf(r.Plan(ctx, call), "a")
	if got := r.Admit(ctx, call, ca); got != proxy.Trial {
		t.Fatalf("Admit = %v, want Trial", got)
	}
	r.Record(ctx, call, ca, failure("server_error"))
	if _, planned := candidateOf(r.Plan(ctx, call), "a"); planned {
		t.Error("a planned right after a failed trial, want it open")
	}
	if got := r.Admit(ctx, call, unplanned); got != proxy.Refused {
		t.Errorf("open channel asked directly: Admit = %v, want Refused", got)
	}
	call.Override = a
	if p := r.Plan(ctx, call); !p.AllOpen || p.RetryIn != 120*time.Second {
		t.Errorf("override of the reopened a: AllOpen %v RetryIn %v, want true, 120s", p.AllOpen, p.RetryIn)
	}
}

// Rate limits (reference 5.2, scenario 16): tier 3 for Retry-After or 30 s,
// never shortened, and never a breaker failure.
func TestRateLimits(t *testing.T) {
	tests := []struct {
		name    string
		waits   []time.Duration // RetryAfter of successive rate-limit outcomes, 0 = none given
		limited time.Duration   // how long a stays behind b
	}{
		{"default 30s", []time.Duration{0}, 30 * time.Second},
		{"Retry-After 90s", []time.Duration{90 * time.Second}, 90 * time.Second},
		{"Retry-After 2s", []time.Duration{2 * time.Second}, 2 * time.Second},
		{"never shortened by a shorter wait", []time.Duration{90 * time.Second, 5 * time.Second}, 90 * time.Second},
		{"never shortened by the default", []time.Duration{90 * time.Second, 0}, 90 * time.Second},
		{"lengthened by a longer wait", []time.Duration{5 * time.Second, 0, 45 * time.Second}, 45 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts, store := exact()
			r, clk := newRouter(opts)
			a, b := httpProv("a", 1), httpProv("b", 2)
			call := callOn(chainOf(a, b), routing.Priority, "eth_blockNumber", `[]`)
			for _, w := range tt.waits {
				record(r, call, a, 1, proxy.Outcome{Category: "rate_limit", RetryAfter: w, Latency: time.Millisecond})
			}
			if got, want := plan(r, call), []string{"b", "a"}; !slices.Equal(got, want) {
				t.Errorf("just limited: Plan = %v, want %v", got, want)
			}
			clk.Advance(tt.limited - time.Millisecond)
			if got, want := plan(r, call), []string{"b", "a"}; !slices.Equal(got, want) {
				t.Errorf("%v later: Plan = %v, want %v", tt.limited-time.Millisecond, got, want)
			}
			clk.Advance(time.Millisecond)
			if got, want := plan(r, call), []string{"a", "b"}; !slices.Equal(got, want) {
				t.Errorf("%v later: Plan = %v, want %v (limit over)", tt.limited, got, want)
			}
			if st := stateOf(t, store, a); st.Phase != breaker.Closed || st.Failures != 0 {
				t.Errorf("a's breaker = %+v, want closed without failures", st)
			}
		})
	}
}

// Scenario 16: ten rate-limit answers leave the breaker closed.
func TestRateLimitsNeverOpenTheBreaker(t *testing.T) {
	opts, store := exact()
	r, _ := newRouter(opts)
	a, b := httpProv("a", 1), httpProv("b", 2)
	call := callOn(chainOf(a, b), routing.Priority, "eth_blockNumber", `[]`)
	record(r, call, a, 10, failure("rate_limit"))
	record(r, call, a, 10, proxy.Outcome{Category: "rate_limit", RetryAfter: time.Second})
	p := r.Plan(context.Background(), call)
	if got, want := planIDs(p), []string{"b", "a"}; !slices.Equal(got, want) {
		t.Errorf("Plan = %v, want %v", got, want)
	}
	if breakers(p)["a"] != "closed" {
		t.Errorf("a planned %q, want closed", breakers(p)["a"])
	}
	if st := stateOf(t, store, a); st.Phase != breaker.Closed || st.Failures != 0 {
		t.Errorf("a's breaker = %+v, want closed without failures", st)
	}
}

// What opens a breaker through Record (reference 4): the category's
// threshold of consecutive counted failures.
func TestBreakerThresholds(t *testing.T) {
	tests := []struct {
		name     string
		outcomes []proxy.Outcome
		wantOpen bool
	}{
		{"4 server errors", repeat(failure("server_error"), 4), false},
		{"5 server errors", repeat(failure("server_error"), 5), true},
		{"2 network errors", repeat(failure("network_error"), 2), false},
		{"3 network errors", repeat(failure("network_error"), 3), true},
		{"5 protocol errors", repeat(failure("protocol_error"), 5), true},
		{"3 auth errors", repeat(failure("auth_error"), 3), true},
		{"20 timeouts (scenario 18)", repeat(failure("timeout"), 20), false},
		{"20 rate limits", repeat(failure("rate_limit"), 20), false},
		{"20 neutral capability misses", repeat(proxy.Outcome{Category: "capability_violation", Neutral: true}, 20), false},
		{"20 neutral reverts", repeat(proxy.Outcome{Category: "execution_revert", Neutral: true}, 20), false},
		{"a success resets the count", append(append(repeat(failure("server_error"), 4), success(time.Millisecond)),
			repeat(failure("server_error"), 4)...), false},
		{"timeouts do not reset it", append(append(repeat(failure("server_error"), 4), failure("timeout")),
			failure("server_error")), true},
		{"mixed: the current failure's threshold", append(repeat(failure("server_error"), 2), failure("network_error")), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts, store := exact()
			r, _ := newRouter(opts)
			a, b := httpProv("a", 1), httpProv("b", 2)
			call := callOn(chainOf(a, b), routing.Priority, "eth_blockNumber", `[]`)
			for _, o := range tt.outcomes {
				r.Record(context.Background(), call, channel(a), o)
			}
			_, planned := candidateOf(r.Plan(context.Background(), call), "a")
			if planned == tt.wantOpen {
				t.Errorf("a planned = %v, want %v (open %v)", planned, !tt.wantOpen, tt.wantOpen)
			}
			if open := stateOf(t, store, a).Phase == breaker.Open; open != tt.wantOpen {
				t.Errorf("a's breaker open = %v, want %v", open, tt.wantOpen)
			}
		})
	}
}

func repeat(o proxy.Outcome, n int) []proxy.Outcome {
	out := make([]proxy.Outcome, n)
	for i := range out {
		out[i] = o
	}
	return out
}

// Provider-failure JSON-RPC errors (internal_error -32603, method_error
// 4200, chain_error 4900, provider_error) are breaker failures counted as
// server_error (reference 3.6 and 4; classify.ProviderFailure: "count a
// breaker failure").
func TestProviderFailureErrorsCountAsServerErrors(t *testing.T) {
	for _, cat := range []string{"internal_error", "method_error", "chain_error", "provider_error"} {
		opts, store := exact()
		r, _ := newRouter(opts)
		a, b := httpProv("a", 1), httpProv("b", 2)
		call := callOn(chainOf(a, b), routing.Priority, "eth_blockNumber", `[]`)
		record(r, call, a, 5, failure(cat))
		if st := stateOf(t, store, a); st.Phase != breaker.Open {
			t.Errorf("after 5 %s outcomes a's breaker = %+v, want open (server_error threshold 5)", cat, st)
		}
	}
}

// A request that never left (reference 3.6, "failure before sending") has
// no breaker effect: the Forwarder records it as a neutral network_error.
func TestNotSentNeverOpensTheBreaker(t *testing.T) {
	opts, store := exact()
	r, _ := newRouter(opts)
	a, b := httpProv("a", 1), httpProv("b", 2)
	call := callOn(chainOf(a, b), routing.Priority, "eth_blockNumber", `[]`)
	record(r, call, a, 3, proxy.Outcome{Category: "network_error", Neutral: true})
	if st := stateOf(t, store, a); st.Phase != breaker.Closed || st.Failures != 0 {
		t.Errorf("after 3 not-sent attempts a's breaker = %+v, want closed without failures", st)
	}
	if got, want := plan(r, call), []string{"a", "b"}; !slices.Equal(got, want) {
		t.Errorf("Plan = %v, want %v", got, want)
	}
}

// Breakers belong to the upstream (InstanceID), shared by every profile that
// uses it, and separate for different upstreams.
func TestBreakersSharedByInstance(t *testing.T) {
	r, _ := newRouter(routing.Options{})
	pub := httpProv("alchemy", 1)
	pub.InstanceID = "shared-upstream"
	teamSame := httpProv("alchemy-team", 1)
	teamSame.InstanceID = "shared-upstream"
	teamOwn := httpProv("alchemy", 2) // same id, other upstream
	teamOwn.InstanceID = "team-own"

	public := callOn(chainOf(pub), routing.Priority, "eth_blockNumber", `[]`)
	team := callOn(chainOf(teamSame, teamOwn), routing.Priority, "eth_blockNumber", `[]`)
	team.Profile = otherProfile

	record(r, public, pub, 5, failure("server_error"))
	if p := r.Plan(context.Background(), public); !p.AllOpen {
		t.Errorf("public: Plan = %v, want all open", planIDs(p))
	}
	p := r.Plan(context.Background(), team)
	if got := planIDs(p); !slices.Equal(got, []string{"alchemy"}) || p.Candidates[0].Provider != teamOwn {
		t.Errorf("team: Plan = %v, want only its own alchemy (the shared upstream is open)", got)
	}
	// And the other way: the team's own upstream failing leaves public alone.
	r2, _ := newRouter(routing.Options{})
	record(r2, team, teamOwn, 5, failure("server_error"))
	if got := plan(r2, public); !slices.Equal(got, []string{"alchemy"}) {
		t.Errorf("public after team-own opened: Plan = %v, want [alchemy]", got)
	}
	if got := plan(r2, team); !slices.Equal(got, []string{"alchemy-team"}) {
		t.Errorf("team after team-own opened: Plan = %v, want [alchemy-team]", got)
	}
}

// The rate-limit flag is the upstream's too.
func TestRateLimitSharedByInstance(t *testing.T) {
	r, _ := newRouter(routing.Options{})
	x, y := httpProv("x", 1), httpProv("y", 2)
	x2 := httpProv("x2", 1)
	x2.InstanceID = x.InstanceID
	public := callOn(chainOf(x, y), routing.Priority, "eth_blockNumber", `[]`)
	team := callOn(chainOf(x2, y), routing.Priority, "eth_blockNumber", `[]`)
	team.Profile = otherProfile
	record(r, public, x, 1, failure("rate_limit"))
	if got, want := plan(r, team), []string{"y", "x2"}; !slices.Equal(got, want) {
		t.Errorf("team: Plan = %v, want %v", got, want)
	}
}

// failingStore is a breaker store that cannot be reached.
type failingStore struct{}

func (failingStore) Load(context.Context, []breaker.Key) ([]breaker.State, error) {
	return nil, context.DeadlineExceeded
}
func (failingStore) Admit(context.Context, breaker.Key, time.Time) (breaker.Decision, breaker.State, error) {
	return breaker.Reject, breaker.State{}, context.DeadlineExceeded
}
func (failingStore) Record(context.Context, breaker.Key, breaker.Outcome, time.Time) (breaker.State, error) {
	return breaker.State{}, context.DeadlineExceeded
}

// A router that cannot read its breakers still routes, everything closed.
func TestBreakerStoreDown(t *testing.T) {
	r, _ := newRouter(routing.Options{Breakers: failingStore{}})
	a, b := httpProv("a", 1), httpProv("b", 2)
	call := callOn(chainOf(a, b), routing.Priority, "eth_blockNumber", `[]`)
	p := r.Plan(context.Background(), call)
	if got := planIDs(p); !slices.Equal(got, []string{"a", "b"}) || breakers(p)["a"] != "closed" {
		t.Errorf("Plan = %v %v, want [a b] closed", got, breakers(p))
	}
	half := proxy.Candidate{Provider: a, Transport: proxy.HTTP, Breaker: "half_open"}
	if got := r.Admit(context.Background(), call, half); got != proxy.Admit {
		t.Errorf("Admit with the store down = %v, want Admit", got)
	}
	r.Record(context.Background(), call, channel(a), failure("server_error")) // must not panic
}

// The router's own probes (System calls) move breakers and rate limits
// like any call, but leave latency and reliability evidence alone: a fast
// eth_blockNumber never qualifies a route, and failed probes never
// disqualify one.
func TestSystemCallsLeaveEvidence(t *testing.T) {
	breakers := breaker.NewMemory(breaker.DefaultConfig(), nil)
	store := routing.NewMemoryStore(breakers)
	r, _ := newRouter(routing.Options{Breakers: breakers, Breaker: breaker.DefaultConfig(), State: store})
	a, b := httpProv("a", 1), httpProv("b", 2)
	client := callOn(chainOf(a, b), routing.Fastest, "eth_blockNumber", `[]`)
	system := callOn(chainOf(a, b), routing.Fastest, "eth_blockNumber", `[]`)
	system.System = true
	evidence := func(p *profile.Provider) routing.ChannelState {
		t.Helper()
		ch := routing.Channel{
			Breaker:  breaker.Key{Instance: p.InstanceID, Transport: proxy.HTTP},
			Evidence: routing.ChannelKey{Profile: testProfile.Slug, Chain: "ethereum", Provider: p.ID, Transport: proxy.HTTP},
		}
		st, err := store.Load(context.Background(), []routing.Channel{ch})
		if err != nil {
			t.Fatal(err)
		}
		return st[0]
	}

	// a answers probes fast, b answers clients slowly: b alone qualifies.
	record(r, system, a, 5, success(time.Millisecond))
	record(r, client, b, 3, success(80*time.Millisecond))
	if e := evidence(a).Evidence; e != (routing.Evidence{}) {
		t.Errorf("a's evidence after probes = %+v, want none", e)
	}
	if got, want := plan(r, client), []string{"b", "a"}; !slices.Equal(got, want) {
		t.Errorf("Plan = %v, want %v: probe latency qualifies nobody", got, want)
	}

	// Four failed probes of b: no evidence, but the breaker counts them.
	before := evidence(b).Evidence
	record(r, system, b, 4, failure("server_error"))
	if e := evidence(b).Evidence; e != before {
		t.Errorf("b's evidence after failed probes = %+v, want %+v", e, before)
	}
	if got, want := plan(r, client), []string{"b", "a"}; !slices.Equal(got, want) {
		t.Errorf("after failed probes: Plan = %v, want %v: b still qualified", got, want)
	}
	if st := stateOf(t, breakers, b); st.Phase != breaker.Closed || st.Failures != 4 {
		t.Errorf("b's breaker = %+v, want closed with 4 failures", st)
	}
	record(r, system, b, 1, failure("server_error"))
	if st := stateOf(t, breakers, b); st.Phase != breaker.Open {
		t.Errorf("b's breaker after a 5th failed probe = %+v, want open", st)
	}
	if got, want := plan(r, client), []string{"a"}; !slices.Equal(got, want) {
		t.Errorf("b open: Plan = %v, want %v", got, want)
	}

	// A probe told to back off marks the channel rate-limited, still
	// without evidence.
	record(r, system, a, 1, proxy.Outcome{Category: "rate_limit", RetryAfter: time.Minute})
	st := evidence(a)
	if st.Evidence != (routing.Evidence{}) || !st.LimitedUntil.Equal(t0.Add(time.Minute)) {
		t.Errorf("a after a rate-limited probe = %+v, want no evidence, limited until t0+1m", st)
	}
}
