package routing_test

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/probe"
	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/routing"
)

// Scenario 24: with the consensus height known from probes, a call that
// reads an old block never goes to archival:false providers; "latest" may.
func TestArchivalWithProbedConsensus(t *testing.T) {
	a, b, c := httpProv("a", 1), httpProv("b", 2), httpProv("c", 3)
	a.Archival, c.Archival = false, false
	v := viewOf(map[string]probe.Status{"a": seen(1000, 0), "b": seen(1000, time.Second), "c": seen(999, 0)})
	r, _ := newRouter(routing.Options{Heads: headsOf(v)})
	ch := chainOf(a, b, c)
	tests := []struct {
		params string
		want   []string
	}{
		{`["0xabc","0x1"]`, []string{"b"}},
		{`["0xabc","latest"]`, []string{"a", "b", "c"}},
		{`["0xabc","0x3e8"]`, []string{"a", "b", "c"}}, // the head itself is recent
	}
	for _, tt := range tests {
		call := callOn(ch, "", "eth_getBalance", tt.params)
		if got := plannedSet(t, r, call); !slices.Equal(got, tt.want) {
			t.Errorf("eth_getBalance %s: planned %v, want %v", tt.params, got, tt.want)
		}
	}
}

// Scenario 25 and the rest of the lag filter (reference 3.2 step 5): a
// provider whose optimistic height is more than max_lag_blocks behind the
// consensus is left out; one without a height, or any when no height is
// fresh, is not judged.
func TestLagFilter(t *testing.T) {
	tests := []struct {
		name    string
		maxLag  int
		records map[string]probe.Status
		want    []string
	}{
		{"10 behind with a fresh height is excluded", 1,
			map[string]probe.Status{"a": seen(1000, 0), "b": seen(1000, 0), "c": seen(990, 0)},
			[]string{"a", "b"}},
		// 2 s on a 250 ms chain credits 8 blocks: 992 + 8 = 1000.
		{"8 behind polled 2 s ago is kept by the optimistic credit", 1,
			map[string]probe.Status{"a": seen(1000, 0), "b": seen(1000, 0), "c": seen(992, 2*time.Second)},
			[]string{"a", "b", "c"}},
		{"9 behind polled 2 s ago is 1 behind: kept", 1,
			map[string]probe.Status{"a": seen(1000, 0), "b": seen(1000, 0), "c": seen(991, 2*time.Second)},
			[]string{"a", "b", "c"}},
		{"10 behind polled 2 s ago is 2 behind: excluded", 1,
			map[string]probe.Status{"a": seen(1000, 0), "b": seen(1000, 0), "c": seen(990, 2*time.Second)},
			[]string{"a", "b"}},
		// 60 s old: 30 s of credit at most, 120 blocks, and no vote.
		{"the credit stops at 30 s", 1,
			map[string]probe.Status{"a": seen(1000, 0), "b": seen(1000, 0), "c": seen(870, time.Minute)},
			[]string{"a", "b"}},
		{"a provider without a height is kept", 1,
			map[string]probe.Status{"a": seen(1000, 0), "b": seen(990, 0)},
			[]string{"a", "c"}},
		{"a provider never probed is kept", 1,
			map[string]probe.Status{"a": seen(1000, 0), "b": seen(990, 0), "c": {Health: probe.Unknown}},
			[]string{"a", "c"}},
		{"max_lag_blocks 0 excludes one behind", 0,
			map[string]probe.Status{"a": seen(1000, 0), "b": seen(1000, 0), "c": seen(999, 0)},
			[]string{"a", "b"}},
		{"max_lag_blocks unset filters nothing", -1,
			map[string]probe.Status{"a": seen(1000, 0), "b": seen(1000, 0), "c": seen(10, 0)},
			[]string{"a", "b", "c"}},
		{"no consensus when every height is older than 30 s", 1,
			map[string]probe.Status{"a": seen(1000, 31*time.Second), "b": seen(1000, 31*time.Second), "c": seen(10, 31*time.Second)},
			[]string{"a", "b", "c"}},
		{"a misconfigured provider has no vote", 1,
			map[string]probe.Status{"a": seen(1000, 0), "b": misconfigured(seen(2000, 0)), "c": seen(999, 0)},
			[]string{"a", "b", "c"}},
		{"ahead of the consensus is kept", 1,
			map[string]probe.Status{"a": seen(1000, 0), "b": seen(1000, 0), "c": seen(1050, 0), "d": seen(1000, 0)},
			[]string{"a", "b", "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := chainOf(provs("a", "b", "c")...)
			ch.BlockTime = 250 * time.Millisecond
			ch.Selection.MaxLagBlocks = tt.maxLag
			r, _ := newRouter(routing.Options{Heads: headsOf(viewOf(tt.records))})
			call := callOn(ch, "", "eth_blockNumber", `[]`)
			if got := plannedSet(t, r, call); !slices.Equal(got, tt.want) {
				t.Errorf("planned %v, want %v", got, tt.want)
			}
			if p := r.Plan(context.Background(), call); p.Skipped != 0 {
				t.Errorf("Skipped = %d, want 0: a lagging provider is no retry", p.Skipped)
			}
		})
	}
}

func misconfigured(s probe.Status) probe.Status {
	s.Health = probe.Misconfigured
	return s
}

// Lag is judged on the clock of the plan, not of the records: a height
// fresh when read ages with the fake clock.
func TestLagFollowsTheClock(t *testing.T) {
	ch := chainOf(provs("a", "b", "c")...)
	ch.BlockTime = time.Second
	ch.Selection.MaxLagBlocks = 2
	// c reported 995 at t0; the others are re-probed (their records move
	// with the clock).
	v := viewOf(map[string]probe.Status{"a": seen(1000, 0), "b": seen(1000, 0), "c": seen(995, 0)})
	r, clk := newRouter(routing.Options{Heads: headsOf(v)})
	call := callOn(ch, routing.Priority, "eth_blockNumber", `[]`)
	if got := plan(r, call); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("at t0: Plan = %v, want [a b]", got)
	}
	// 4 s later the consensus (a, b re-probed) is 1004 and c's credit
	// makes it 999: still 5 behind.
	clk.Advance(4 * time.Second)
	v.Providers["inst-a"], v.Providers["inst-b"] = seen(1004, -4*time.Second), seen(1004, -4*time.Second)
	if got := plan(r, call); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("4 s later: Plan = %v, want [a b]", got)
	}
	// If a and b stall instead, c's credit catches it up.
	v.Providers["inst-a"], v.Providers["inst-b"] = seen(1000, 0), seen(1000, 0)
	if got := plan(r, call); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("a and b stalled: Plan = %v, want [a b c]", got)
	}
}

// Unlike Lasso, which plans nothing, a plan whose every candidate lags
// keeps them all, and says so once.
func TestLagAllLaggingFailsOpen(t *testing.T) {
	a, b, c := httpProv("a", 1), httpProv("b", 2), httpProv("c", 3)
	ch := chainOf(a, b, c)
	ch.BlockTime = time.Second
	ch.Selection.MaxLagBlocks = 1
	// c sets the consensus (three providers: the highest) but its breaker
	// is open, so the candidates are a and b, both 10 behind.
	v := viewOf(map[string]probe.Status{"a": seen(1000, 0), "b": seen(1000, 0), "c": seen(1010, 0)})
	var logs bytes.Buffer
	r, _ := newRouter(routing.Options{Heads: headsOf(v), Log: slog.New(slog.NewTextHandler(&logs, nil))})
	call := callOn(ch, routing.Priority, "eth_blockNumber", `[]`)
	record(r, call, c, 5, failure("server_error"))
	logs.Reset()

	p := r.Plan(context.Background(), call)
	if got := planIDs(p); !slices.Equal(got, []string{"a", "b"}) || p.AllOpen || p.Skipped != 0 {
		t.Errorf("Plan = %v (AllOpen %v, Skipped %d), want [a b], false, 0", got, p.AllOpen, p.Skipped)
	}
	if n := strings.Count(logs.String(), "level=WARN"); n != 1 {
		t.Errorf("%d warnings for one plan, want 1:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "max_lag_blocks=1") || !strings.Contains(logs.String(), "consensus=1010") {
		t.Errorf("warning lacks the lag limit or consensus: %s", logs.String())
	}
	// Every call of a lagging chain plans the same way: the warning comes
	// once a minute, not once a call; an override is never filtered.
	logs.Reset()
	r.Plan(context.Background(), call)
	override := *call
	override.Override = a
	if got := plan(r, &override); !slices.Equal(got, []string{"a"}) {
		t.Errorf("override to a lagging provider: Plan = %v, want [a]", got)
	}
	if logs.Len() != 0 {
		t.Errorf("a second plan within the minute warned again: %s", logs.String())
	}

	// A plan with one provider in step logs nothing.
	v.Providers["inst-b"] = seen(1010, 0)
	logs.Reset()
	if got := plan(r, call); !slices.Equal(got, []string{"b"}) || logs.Len() != 0 {
		t.Errorf("Plan = %v, logs %q; want [b] and no warning", got, logs.String())
	}
}

// TestLagWarningOncePerMinute: a chain whose candidates all lag warns once
// a minute, however many calls it plans.
func TestLagWarningOncePerMinute(t *testing.T) {
	a, b := httpProv("a", 1), httpProv("b", 2)
	ch := chainOf(a, b)
	ch.BlockTime = time.Second
	ch.Selection.MaxLagBlocks = 1
	var logs bytes.Buffer
	var v *probe.View
	r, clock := newRouter(routing.Options{
		Heads: func(context.Context, int64) *probe.View { return v },
		Log:   slog.New(slog.NewTextHandler(&logs, nil)),
	})
	call := callOn(ch, routing.Priority, "eth_blockNumber", `[]`)
	for i, step := range []struct {
		advance time.Duration
		warns   int
	}{{0, 1}, {10 * time.Second, 0}, {30 * time.Second, 0}, {20 * time.Second, 1}, {time.Second, 0}} {
		clock.Advance(step.advance)
		now := clock.Now()
		// Heights seen just now: a and b 10 behind an instance no plan has.
		v = &probe.View{Providers: map[string]probe.Status{
			"inst-a": {Health: probe.Healthy, Height: 1000, HeightAt: now},
			"inst-b": {Health: probe.Healthy, Height: 1000, HeightAt: now},
			"inst-z": {Health: probe.Healthy, Height: 1010, HeightAt: now},
		}}
		logs.Reset()
		if got := plan(r, call); !slices.Equal(got, []string{"a", "b"}) {
			t.Fatalf("step %d: Plan = %v, want [a b] (all lag: fail open)", i, got)
		}
		if n := strings.Count(logs.String(), "level=WARN"); n != step.warns {
			t.Errorf("step %d (+%v): %d warnings, want %d", i, step.advance, n, step.warns)
		}
	}
}

// A provider probes found misconfigured is tried after every other, even a
// half-open or rate-limited one, but still tried.
func TestMisconfiguredLast(t *testing.T) {
	a, b, c := httpProv("a", 1), httpProv("b", 2), httpProv("c", 3)
	v := viewOf(map[string]probe.Status{"a": misconfigured(seen(1000, 0)), "b": seen(1000, 0)})
	r, _ := newRouter(routing.Options{Heads: headsOf(v)})
	call := callOn(chainOf(a, b, c), "", "eth_blockNumber", `[]`)
	for _, s := range allStrategies {
		call.Strategy = s
		for range 20 {
			if got := plan(r, call); len(got) != 3 || got[2] != "a" {
				t.Fatalf("strategy %q: Plan = %v, want a last", s, got)
			}
		}
	}
	call.Strategy = routing.Priority
	record(r, call, b, 1, failure("rate_limit"))
	if got, want := plan(r, call), []string{"c", "b", "a"}; !slices.Equal(got, want) {
		t.Errorf("b rate-limited: Plan = %v, want %v", got, want)
	}
	// Alone, it is still planned.
	call.Override = a
	if got := plan(r, call); !slices.Equal(got, []string{"a"}) {
		t.Errorf("override a: Plan = %v, want [a]", got)
	}
}

// Reference 3.2 step 6: a call for a numbered block tries first the
// providers whose optimistic height reaches it, within each health tier and
// in the strategy's order otherwise; providers without a height count as
// not reaching it but stay in the plan.
func TestMinBlockOrder(t *testing.T) {
	// Priorities a < b < c < d. At 0x3e8 (1000): a is at 990, c has no
	// height; b and d reach it.
	a, b, c, d := httpProv("a", 1), httpProv("b", 2), httpProv("c", 3), httpProv("d", 4)
	records := map[string]probe.Status{"a": seen(990, 0), "b": seen(1000, 0), "d": seen(1005, 0)}
	ch := chainOf(a, b, c, d)
	ch.BlockTime = 250 * time.Millisecond
	reaching := []string{"b", "d", "a", "c"}
	byPriority := []string{"a", "b", "c", "d"}
	tests := []struct {
		name   string
		method string
		params string
		want   []string
	}{
		{"eth_getBalance at a block", "eth_getBalance", `["0xabc","0x3e8"]`, reaching},
		{"eth_call at a block", "eth_call", `[{"to":"0x0"},"0x3e8"]`, reaching},
		{"EIP-1898 block number", "eth_call", `[{"to":"0x0"},{"blockNumber":"0x3e8"}]`, reaching},
		{"eth_getStorageAt at a block", "eth_getStorageAt", `["0xabc","0x0","0x3e8"]`, reaching},
		{"eth_getStorageAt without a block: the slot is no block", "eth_getStorageAt", `["0xabc","0x3e8"]`, byPriority},
		{"eth_getBlockByNumber", "eth_getBlockByNumber", `["0x3e8",false]`, reaching},
		{"a block everybody reaches", "eth_getBalance", `["0xabc","0x3de"]`, []string{"a", "b", "d", "c"}},
		{"latest names no block", "eth_getBalance", `["0xabc","latest"]`, byPriority},
		{"earliest names no block", "eth_getBalance", `["0xabc","earliest"]`, byPriority},
		{"eth_call without a block", "eth_call", `[{"to":"0x0"}]`, byPriority},
		{"other methods", "eth_getTransactionByHash", `["0x3e8"]`, byPriority},
		{"a block nobody reaches", "eth_getBalance", `["0xabc","0x7d0"]`, byPriority},
		{"upper-case hex", "eth_getBalance", `["0xabc","0x3E8"]`, reaching},
		{"spaces, and commas and brackets in strings", "eth_call", ` [ {"to":"0x0","data":"a,]\"}"} , "0x3e8" ] `, reaching},
		{"eth_call with state overrides: the last parameter is no block", "eth_call",
			`[{"to":"0x0"},"0x3e8",{"0xabc":{"balance":"0x1"}}]`, byPriority},
		{"EIP-1898 earliest", "eth_call", `[{"to":"0x0"},{"blockNumber":"earliest"}]`, byPriority},
		{"EIP-1898 block hash", "eth_call", `[{"to":"0x0"},{"blockHash":"0x3e8"}]`, byPriority},
		{"not hex", "eth_getBalance", `["0xabc","0xzz"]`, byPriority},
		{"escaped string", "eth_getBalance", `["0xabc","\u0030x3e8"]`, reaching},
		{"a JSON number", "eth_getBlockByNumber", `[1000,false]`, byPriority},
		{"no params", "eth_getBlockByNumber", `[]`, byPriority},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := newRouter(routing.Options{Heads: headsOf(viewOf(records))})
			if got := plan(r, callOn(ch, routing.Priority, tt.method, tt.params)); !slices.Equal(got, tt.want) {
				t.Errorf("Plan = %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("the optimistic credit counts", func(t *testing.T) {
		// a saw 990 2.5 s ago: 10 blocks of credit on a 250 ms chain.
		recs := map[string]probe.Status{"a": seen(990, 2500*time.Millisecond), "b": seen(1000, 0), "d": seen(1005, 0)}
		r, _ := newRouter(routing.Options{Heads: headsOf(viewOf(recs))})
		if got, want := plan(r, callOn(ch, routing.Priority, "eth_getBalance", `["0xabc","0x3e8"]`)), []string{"a", "b", "d", "c"}; !slices.Equal(got, want) {
			t.Errorf("Plan = %v, want %v", got, want)
		}
	})
	t.Run("within each health tier", func(t *testing.T) {
		r, _ := newRouter(routing.Options{Heads: headsOf(viewOf(records))})
		call := callOn(ch, routing.Priority, "eth_getBalance", `["0xabc","0x3e8"]`)
		record(r, call, b, 1, failure("rate_limit"))
		// Tier 1: d reaches, a and c do not; tier 3: b.
		if got, want := plan(r, call), []string{"d", "a", "c", "b"}; !slices.Equal(got, want) {
			t.Errorf("Plan = %v, want %v", got, want)
		}
	})
	t.Run("every strategy", func(t *testing.T) {
		r, _ := newRouter(routing.Options{Heads: headsOf(viewOf(records))})
		call := callOn(ch, "", "eth_getBalance", `["0xabc","0x3e8"]`)
		for _, s := range allStrategies {
			call.Strategy = s
			for range 20 {
				got := plan(r, call)
				if len(got) != 4 || !sameSet(got[:2], []string{"b", "d"}) || !sameSet(got[2:], []string{"a", "c"}) {
					t.Fatalf("strategy %q: Plan = %v, want b and d before a and c", s, got)
				}
			}
		}
	})
	t.Run("not a filter for archival needs", func(t *testing.T) {
		// Only a is archival and it lacks the block: it is still the one
		// planned for an old block.
		pruned := func(p *profile.Provider) *profile.Provider { q := *p; q.Archival = false; return &q }
		ch := chainOf(a, pruned(b), pruned(d))
		r, _ := newRouter(routing.Options{Heads: headsOf(viewOf(records))})
		if got := plan(r, callOn(ch, routing.Priority, "eth_getBalance", `["0xabc","0x1"]`)); !slices.Equal(got, []string{"a"}) {
			t.Errorf("Plan = %v, want [a]", got)
		}
	})
}

func sameSet(got, want []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want)))
}
