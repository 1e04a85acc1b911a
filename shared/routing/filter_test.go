package routing_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/lasso-serverless/lasso/shared/probe"
	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/proxy"
	"github.com/lasso-serverless/lasso/shared/routing"
)

// planned returns the set of providers planned over many load_balanced
// plans (and checks every other strategy agrees on the set).
func plannedSet(t *testing.T, r *routing.Router, c *proxy.Call) []string {
	t.Helper()
	seen := map[string]bool{}
	for _, s := range allStrategies {
		c.Strategy = s
		for range 20 {
			for _, id := range planIDs(r.Plan(context.Background(), c)) {
				seen[id] = true
			}
		}
	}
	var out []string
	for id := range seen {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// Scenario 22: a provider that does not support the method is not planned
// while a capable one exists; if none does, all are (fail-open).
func TestCapabilities(t *testing.T) {
	noCall := func(id string, prio int) *profile.Provider {
		p := httpProv(id, prio)
		p.Capabilities.UnsupportedMethods = []string{"eth_call", "eth_estimateGas"}
		return p
	}
	noDebug := func(id string, prio int) *profile.Provider {
		p := httpProv(id, prio)
		p.Capabilities.UnsupportedCategories = []string{"debug", "trace", "local_only"}
		return p
	}
	everything := func(id string, prio int) *profile.Provider {
		p := httpProv(id, prio)
		p.Capabilities.UnsupportedCategories = []string{} // the key given empty: local_only allowed
		return p
	}
	tests := []struct {
		name      string
		providers []*profile.Provider
		method    string
		want      []string
	}{
		{"unsupported method left out", []*profile.Provider{noCall("a", 1), httpProv("b", 2)}, "eth_call", []string{"b"}},
		{"other methods unaffected", []*profile.Provider{noCall("a", 1), httpProv("b", 2)}, "eth_getBalance", []string{"a", "b"}},
		{"none supports it: all (fail-open)", []*profile.Provider{noCall("a", 1), noCall("b", 2)}, "eth_call", []string{"a", "b"}},
		{"unsupported category", []*profile.Provider{noDebug("a", 1), httpProv("b", 2)}, "debug_traceTransaction", []string{"b"}},
		{"unsupported category, trace", []*profile.Provider{noDebug("a", 1), httpProv("b", 2), noDebug("c", 3)}, "trace_block", []string{"b"}},
		{"category unaffected", []*profile.Provider{noDebug("a", 1), httpProv("b", 2)}, "eth_blockNumber", []string{"a", "b"}},
		{"default local_only", []*profile.Provider{httpProv("a", 1), everything("b", 2)}, "eth_coinbase", []string{"b"}},
		{"default local_only, nobody allows it", []*profile.Provider{httpProv("a", 1), httpProv("b", 2)}, "eth_mining", []string{"a", "b"}},
		{"unknown methods allowed", []*profile.Provider{noDebug("a", 1), noCall("b", 2)}, "foo_bar", []string{"a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := newRouter(routing.Options{})
			c := callOn(chainOf(tt.providers...), "", tt.method, `[{"to":"0x0"},"latest"]`)
			if got := plannedSet(t, r, c); !slices.Equal(got, tt.want) {
				t.Errorf("planned %v, want %v", got, tt.want)
			}
		})
	}
}

// Lasso removes open breakers before it prefers capable channels (reference
// 3.2 steps 3 and 7), so when every capable channel is open the call fails
// open to the others instead of failing with "all circuits open".
func TestCapabilityFailOpenAfterBreakers(t *testing.T) {
	a := httpProv("a", 1)
	a.Capabilities.UnsupportedMethods = []string{"eth_call"}
	b := httpProv("b", 2)
	r, _ := newRouter(routing.Options{})
	c := callOn(chainOf(a, b), routing.Priority, "eth_call", `[{"to":"0x0"},"latest"]`)
	record(r, c, b, 5, failure("server_error"))
	p := r.Plan(context.Background(), c)
	if got := planIDs(p); !slices.Equal(got, []string{"a"}) || p.AllOpen {
		t.Errorf("Plan = %v (AllOpen %v), want [a]: fail open to the closed provider", got, p.AllOpen)
	}
}

func logs(filter string) string { return `[` + filter + `]` }

// Scenario 23: parameter limits leave a provider out for one call (counted
// in Skipped) when another fits, and fail open when none does.
func TestBlockRangeLimit(t *testing.T) {
	limited := func(id string, prio, max int) *profile.Provider {
		p := httpProv(id, prio)
		p.Capabilities.MaxBlockRange = max
		return p
	}
	tests := []struct {
		name        string
		providers   []*profile.Provider
		head        uint64
		params      string
		want        []string
		wantSkipped int
	}{
		{"range too wide", []*profile.Provider{limited("a", 1, 1000), httpProv("b", 2)}, 0,
			logs(`{"fromBlock":"0x0","toBlock":"0x1000"}`), []string{"b"}, 1},
		{"range exactly the limit", []*profile.Provider{limited("a", 1, 1000), httpProv("b", 2)}, 0,
			logs(`{"fromBlock":"0x0","toBlock":"0x3e8"}`), []string{"a", "b"}, 0},
		{"one past the limit", []*profile.Provider{limited("a", 1, 1000), httpProv("b", 2)}, 0,
			logs(`{"fromBlock":"0x0","toBlock":"0x3e9"}`), []string{"b"}, 1},
		{"reversed range", []*profile.Provider{limited("a", 1, 1000), httpProv("b", 2)}, 0,
			logs(`{"fromBlock":"0x1000","toBlock":"0x0"}`), []string{"a", "b"}, 0},
		{"every provider limited: all (fail-open)", []*profile.Provider{limited("a", 1, 1000), limited("b", 2, 100)}, 0,
			logs(`{"fromBlock":"0x0","toBlock":"0x1000"}`), []string{"a", "b"}, 0},
		{"two of three limited", []*profile.Provider{limited("a", 1, 1000), limited("b", 2, 100), httpProv("c", 3)}, 0,
			logs(`{"fromBlock":"0x0","toBlock":"0x1000"}`), []string{"c"}, 2},
		{"blockHash filter passes", []*profile.Provider{limited("a", 1, 10), httpProv("b", 2)}, 0,
			logs(`{"blockHash":"0xabc"}`), []string{"a", "b"}, 0},
		{"latest with the head unknown passes", []*profile.Provider{limited("a", 1, 10), httpProv("b", 2)}, 0,
			logs(`{"fromBlock":"0x0","toBlock":"latest"}`), []string{"a", "b"}, 0},
		{"latest resolved against a known head", []*profile.Provider{limited("a", 1, 1000), httpProv("b", 2)}, 0x2000,
			logs(`{"fromBlock":"0x1000","toBlock":"latest"}`), []string{"b"}, 1},
		{"latest within the limit of a known head", []*profile.Provider{limited("a", 1, 1000), httpProv("b", 2)}, 0x2000,
			logs(`{"fromBlock":"0x1f00","toBlock":"latest"}`), []string{"a", "b"}, 0},
		{"safe is not judged", []*profile.Provider{limited("a", 1, 10), httpProv("b", 2)}, 0x2000,
			logs(`{"fromBlock":"0x0","toBlock":"safe"}`), []string{"a", "b"}, 0},
		{"one end missing is not judged", []*profile.Provider{limited("a", 1, 10), httpProv("b", 2)}, 0,
			logs(`{"fromBlock":"0x0"}`), []string{"a", "b"}, 0},
		{"unparseable is not judged", []*profile.Provider{limited("a", 1, 10), httpProv("b", 2)}, 0,
			logs(`{"fromBlock":"0xzz","toBlock":"0x1000"}`), []string{"a", "b"}, 0},
		{"limit 0 allows one block", []*profile.Provider{limited("a", 1, 0), httpProv("b", 2)}, 0,
			logs(`{"fromBlock":"0x5","toBlock":"0x5"}`), []string{"a", "b"}, 0},
		{"limit 0 refuses two", []*profile.Provider{limited("a", 1, 0), httpProv("b", 2)}, 0,
			logs(`{"fromBlock":"0x5","toBlock":"0x6"}`), []string{"b"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := newRouter(routing.Options{Heads: consensusAt(tt.head)})
			c := callOn(chainOf(tt.providers...), "", "eth_getLogs", tt.params)
			if got := plannedSet(t, r, c); !slices.Equal(got, tt.want) {
				t.Errorf("planned %v, want %v", got, tt.want)
			}
			if p := r.Plan(context.Background(), c); p.Skipped != tt.wantSkipped {
				t.Errorf("Skipped = %d, want %d", p.Skipped, tt.wantSkipped)
			}
		})
	}
	t.Run("other methods are not judged", func(t *testing.T) {
		r, _ := newRouter(routing.Options{})
		c := callOn(chainOf(limited("a", 1, 1), httpProv("b", 2)), "", "eth_newFilter", logs(`{"fromBlock":"0x0","toBlock":"0x1000"}`))
		if got := plannedSet(t, r, c); !slices.Equal(got, []string{"a", "b"}) {
			t.Errorf("planned %v, want [a b]", got)
		}
	})
}

// As for capabilities, Lasso applies limits to the channels left after
// breakers (reference 3.2 step 9: limits at attempt time, fail-open when
// nothing dispatched).
func TestLimitFailOpenAfterBreakers(t *testing.T) {
	a := httpProv("a", 1)
	a.Capabilities.MaxBlockRange = 1000
	b := httpProv("b", 2)
	r, _ := newRouter(routing.Options{})
	c := callOn(chainOf(a, b), routing.Priority, "eth_getLogs", logs(`{"fromBlock":"0x0","toBlock":"0x1000"}`))
	record(r, c, b, 5, failure("server_error"))
	p := r.Plan(context.Background(), c)
	if got := planIDs(p); !slices.Equal(got, []string{"a"}) || p.AllOpen {
		t.Errorf("Plan = %v (AllOpen %v), want [a]: fail open to the closed provider", got, p.AllOpen)
	}
}

func TestBlockAgeLimit(t *testing.T) {
	aged := func(id string, prio, max int, methods ...string) *profile.Provider {
		p := httpProv(id, prio)
		p.Capabilities.MaxBlockAge = max
		p.Capabilities.BlockAgeMethods = methods
		return p
	}
	tests := []struct {
		name        string
		providers   []*profile.Provider
		head        uint64
		method      string
		params      string
		want        []string
		wantSkipped int
	}{
		{"too old", []*profile.Provider{aged("a", 1, 100, "eth_getBalance"), httpProv("b", 2)}, 1000,
			"eth_getBalance", `["0xabc","0x320"]`, []string{"b"}, 1}, // 800: 200 old
		{"exactly the limit", []*profile.Provider{aged("a", 1, 100, "eth_getBalance"), httpProv("b", 2)}, 1000,
			"eth_getBalance", `["0xabc","0x384"]`, []string{"a", "b"}, 0}, // 900
		{"one past", []*profile.Provider{aged("a", 1, 100, "eth_getBalance"), httpProv("b", 2)}, 1000,
			"eth_getBalance", `["0xabc","0x383"]`, []string{"b"}, 1}, // 899
		{"latest", []*profile.Provider{aged("a", 1, 100, "eth_getBalance"), httpProv("b", 2)}, 1000,
			"eth_getBalance", `["0xabc","latest"]`, []string{"a", "b"}, 0},
		{"pending", []*profile.Provider{aged("a", 1, 100, "eth_getBalance"), httpProv("b", 2)}, 1000,
			"eth_getBalance", `["0xabc","pending"]`, []string{"a", "b"}, 0},
		{"head unknown", []*profile.Provider{aged("a", 1, 100, "eth_getBalance"), httpProv("b", 2)}, 0,
			"eth_getBalance", `["0xabc","0x1"]`, []string{"a", "b"}, 0},
		{"method not listed", []*profile.Provider{aged("a", 1, 100, "eth_getBalance"), httpProv("b", 2)}, 1000,
			"eth_getCode", `["0xabc","0x1"]`, []string{"a", "b"}, 0},
		{"second listed method", []*profile.Provider{aged("a", 1, 100, "eth_getBalance", "eth_getCode"), httpProv("b", 2)}, 1000,
			"eth_getCode", `["0xabc","0x1"]`, []string{"b"}, 1},
		{"EIP-1898 block number", []*profile.Provider{aged("a", 1, 100, "eth_call"), httpProv("b", 2)}, 1000,
			"eth_call", `[{"to":"0x0"},{"blockNumber":"0x1"}]`, []string{"b"}, 1},
		{"block in the future", []*profile.Provider{aged("a", 1, 100, "eth_getBalance"), httpProv("b", 2)}, 1000,
			"eth_getBalance", `["0xabc","0x7d0"]`, []string{"a", "b"}, 0},
		{"every provider limited: all (fail-open)", []*profile.Provider{aged("a", 1, 100, "eth_getBalance"), aged("b", 2, 10, "eth_getBalance")}, 1000,
			"eth_getBalance", `["0xabc","0x1"]`, []string{"a", "b"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			heads := consensusAt(tt.head)
			r, _ := newRouter(routing.Options{Heads: func(ctx context.Context, id int64) *probe.View {
				if id != 1 {
					t.Errorf("Heads asked for chain %d, want 1", id)
				}
				return heads(ctx, id)
			}})
			c := callOn(chainOf(tt.providers...), "", tt.method, tt.params)
			if got := plannedSet(t, r, c); !slices.Equal(got, tt.want) {
				t.Errorf("planned %v, want %v", got, tt.want)
			}
			if p := r.Plan(context.Background(), c); p.Skipped != tt.wantSkipped {
				t.Errorf("Skipped = %d, want %d", p.Skipped, tt.wantSkipped)
			}
		})
	}
}

// Scenario 24: a call that reads old state goes only to archival providers,
// when there are any.
func TestArchival(t *testing.T) {
	pruned := func(id string, prio int) *profile.Provider {
		p := httpProv(id, prio)
		p.Archival = false
		return p
	}
	mixed := []*profile.Provider{pruned("a", 1), httpProv("b", 2), pruned("c", 3)}
	all := []string{"a", "b", "c"}
	archive := []string{"b"}
	tests := []struct {
		name      string
		providers []*profile.Provider
		head      uint64 // 0: unknown
		method    string
		params    string
		want      []string
	}{
		{"old block", mixed, 1000, "eth_getBalance", `["0xabc","0x1"]`, archive},
		{"latest", mixed, 1000, "eth_getBalance", `["0xabc","latest"]`, all},
		{"pending", mixed, 1000, "eth_getBalance", `["0xabc","pending"]`, all},
		{"safe", mixed, 1000, "eth_getBalance", `["0xabc","safe"]`, all},
		{"finalized", mixed, 1000, "eth_getBalance", `["0xabc","finalized"]`, all},
		{"earliest", mixed, 1000, "eth_getBalance", `["0xabc","earliest"]`, archive},
		{"head - threshold is recent", mixed, 1000, "eth_getBalance", `["0xabc","0x368"]`, all}, // 872
		{"one older is archival", mixed, 1000, "eth_getBalance", `["0xabc","0x367"]`, archive},  // 871
		{"future block", mixed, 1000, "eth_getBalance", `["0xabc","0x1000"]`, all},
		{"head unknown: an explicit block is archival", mixed, 0, "eth_getBalance", `["0xabc","0x3e8"]`, archive},
		{"head unknown: latest is not", mixed, 0, "eth_getBalance", `["0xabc","latest"]`, all},
		{"no archival provider: all (fail-open)", []*profile.Provider{pruned("a", 1), pruned("c", 2)}, 1000,
			"eth_getBalance", `["0xabc","0x1"]`, []string{"a", "c"}},
		{"eth_getCode", mixed, 1000, "eth_getCode", `["0xabc","0x1"]`, archive},
		{"eth_getTransactionCount", mixed, 1000, "eth_getTransactionCount", `["0xabc","0x1"]`, archive},
		{"eth_getStorageAt", mixed, 1000, "eth_getStorageAt", `["0xabc","0x0","0x1"]`, archive},
		{"eth_getStorageAt latest", mixed, 1000, "eth_getStorageAt", `["0xabc","0x0","latest"]`, all},
		{"eth_call old", mixed, 1000, "eth_call", `[{"to":"0x0"},"0x1"]`, archive},
		{"eth_call without a block", mixed, 1000, "eth_call", `[{"to":"0x0"}]`, all},
		{"EIP-1898 blockNumber", mixed, 1000, "eth_call", `[{"to":"0x0"},{"blockNumber":"0x1"}]`, archive},
		{"EIP-1898 recent blockNumber", mixed, 1000, "eth_call", `[{"to":"0x0"},{"blockNumber":"0x3e8"}]`, all},
		{"EIP-1898 blockNumber latest", mixed, 1000, "eth_call", `[{"to":"0x0"},{"blockNumber":"latest"}]`, all},
		{"EIP-1898 blockHash", mixed, 1000, "eth_call", `[{"to":"0x0"},{"blockHash":"0xabc","requireCanonical":true}]`, all},
		{"eth_getBlockByNumber old", mixed, 1000, "eth_getBlockByNumber", `["0x1",false]`, archive},
		{"eth_getBlockByNumber latest", mixed, 1000, "eth_getBlockByNumber", `["latest",false]`, all},
		{"eth_getBlockByNumber recent", mixed, 1000, "eth_getBlockByNumber", `["0x3e7",true]`, all},
		{"eth_getLogs old fromBlock", mixed, 1000, "eth_getLogs", logs(`{"fromBlock":"0x1","toBlock":"latest"}`), archive},
		{"eth_getLogs old toBlock", mixed, 1000, "eth_getLogs", logs(`{"toBlock":"0x1"}`), archive},
		{"eth_getLogs recent", mixed, 1000, "eth_getLogs", logs(`{"fromBlock":"0x3e0","toBlock":"0x3e8"}`), all},
		{"eth_getLogs default latest", mixed, 1000, "eth_getLogs", logs(`{"address":"0x0"}`), all},
		{"eth_getLogs blockHash", mixed, 1000, "eth_getLogs", logs(`{"blockHash":"0xabc"}`), all},
		{"eth_getBlockByNumber with a JSON number is not judged", mixed, 1000, "eth_getBlockByNumber", `[1,false]`, all},
		{"eth_getBlockByNumber without params", mixed, 1000, "eth_getBlockByNumber", `[]`, all},
		{"eth_getLogs without a filter", mixed, 1000, "eth_getLogs", `[]`, all},
		{"eth_getLogs with two params is not judged", mixed, 1000, "eth_getLogs", `[{"fromBlock":"0x1"},{}]`, all},
		{"params not an array", mixed, 1000, "eth_getBalance", `{"block":"0x1"}`, all},
		{"other methods never", mixed, 1000, "eth_getTransactionByHash", `["0x1"]`, all},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := newRouter(routing.Options{Heads: consensusAt(tt.head)})
			c := callOn(chainOf(tt.providers...), "", tt.method, tt.params)
			if got := plannedSet(t, r, c); !slices.Equal(got, tt.want) {
				t.Errorf("planned %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("chain threshold", func(t *testing.T) {
		ch := chainOf(mixed...)
		ch.Selection.ArchivalThreshold = 10
		r, _ := newRouter(routing.Options{Heads: consensusAt(1000)})
		for _, tt := range []struct {
			block string
			want  []string
		}{{"0x3de", all}, {"0x3dd", archive}} { // 990, 989
			c := callOn(ch, "", "eth_getBalance", `["0xabc","`+tt.block+`"]`)
			if got := plannedSet(t, r, c); !slices.Equal(got, tt.want) {
				t.Errorf("block %s: planned %v, want %v", tt.block, got, tt.want)
			}
		}
	})
	t.Run("no Heads option: head unknown", func(t *testing.T) {
		r, _ := newRouter(routing.Options{})
		c := callOn(chainOf(mixed...), "", "eth_getBalance", `["0xabc","0x3e8"]`)
		if got := plannedSet(t, r, c); !slices.Equal(got, archive) {
			t.Errorf("planned %v, want %v", got, archive)
		}
	})
}

// Only HTTP channels exist: a call that asks for WS gets none; WS-only
// providers are never planned.
func TestTransports(t *testing.T) {
	a, b := httpProv("a", 1), httpProv("b", 2)
	a.WSURL = "wss://a.example/ws"
	wsOnly := prov("w", 0, "")
	wsOnly.WSURL = "wss://w.example/ws"
	ch := chainOf(wsOnly, a, b)
	for _, tt := range []struct {
		transport string
		want      []string
	}{{"", []string{"a", "b"}}, {proxy.HTTP, []string{"a", "b"}}, {proxy.WS, nil}} {
		t.Run(fmt.Sprintf("%q", tt.transport), func(t *testing.T) {
			r, _ := newRouter(routing.Options{})
			c := callOn(ch, routing.Priority, "eth_blockNumber", `[]`)
			c.Transport = tt.transport
			p := r.Plan(context.Background(), c)
			if got := planIDs(p); !slices.Equal(got, tt.want) && !(len(got) == 0 && tt.want == nil) {
				t.Errorf("Plan = %v, want %v", got, tt.want)
			}
			if p.AllOpen {
				t.Error("AllOpen = true, want false")
			}
			for _, cand := range p.Candidates {
				if cand.Transport != proxy.HTTP {
					t.Errorf("candidate %s transport %q, want http", cand.Provider.ID, cand.Transport)
				}
			}
		})
	}
	t.Run("override of a WS-only provider", func(t *testing.T) {
		r, _ := newRouter(routing.Options{})
		c := callOn(ch, routing.Priority, "eth_blockNumber", `[]`)
		c.Override = wsOnly
		if p := r.Plan(context.Background(), c); len(p.Candidates) != 0 || p.AllOpen {
			t.Errorf("Plan = %+v, want empty", p)
		}
	})
}

// A call considers at most ten channels (Lasso's cursor limit).
func TestMaxCandidates(t *testing.T) {
	var ps []*profile.Provider
	var want []string
	for i := range 15 {
		id := fmt.Sprintf("p%02d", i)
		ps = append(ps, httpProv(id, i))
		if i < 10 {
			want = append(want, id)
		}
	}
	r, _ := newRouter(routing.Options{})
	c := callOn(chainOf(ps...), routing.Priority, "eth_blockNumber", `[]`)
	if got := plan(r, c); !slices.Equal(got, want) {
		t.Errorf("Plan = %v, want the first ten %v", got, want)
	}
	for _, s := range allStrategies {
		c.Strategy = s
		if got := plan(r, c); len(got) != 10 {
			t.Errorf("strategy %q: %d candidates, want 10", s, len(got))
		}
	}
	// Tiers apply before the cut: a rate-limited first choice falls out.
	record(r, c, ps[0], 1, failure("rate_limit"))
	c.Strategy = routing.Priority
	if got := plan(r, c); slices.Contains(got, "p00") || got[0] != "p01" || got[9] != "p10" {
		t.Errorf("p00 rate-limited: Plan = %v, want p01..p10", got)
	}
}

// An override plans that provider alone, whatever its capabilities, and
// keeps its breaker.
func TestOverride(t *testing.T) {
	a, b := httpProv("a", 1), httpProv("b", 2)
	a.Capabilities.UnsupportedMethods = []string{"eth_call"}
	a.Archival = false
	r, _ := newRouter(routing.Options{Heads: consensusAt(1000)})
	c := callOn(chainOf(a, b), routing.Priority, "eth_call", `[{"to":"0x0"},"0x1"]`)
	c.Override = a
	if got := plannedSet(t, r, c); !slices.Equal(got, []string{"a"}) {
		t.Errorf("planned %v, want [a] only", got)
	}
	record(r, c, a, 5, failure("server_error"))
	c.Strategy = routing.Priority
	if p := r.Plan(context.Background(), c); len(p.Candidates) != 0 || !p.AllOpen || p.RetryIn <= 0 {
		t.Errorf("override open: Plan = %v AllOpen %v RetryIn %v, want none, true, > 0", planIDs(p), p.AllOpen, p.RetryIn)
	}
}

// Skipped counts channels (reference 3.2 step 9: a rejected channel counts
// as a retry); a provider without a channel for this call was never a
// candidate, so a limit cannot skip it.
func TestSkippedCountsChannels(t *testing.T) {
	w := prov("w", 1, "")
	w.WSURL = "wss://w.example/ws"
	w.Capabilities.MaxBlockRange = 10
	b := httpProv("b", 2)
	r, _ := newRouter(routing.Options{})
	c := callOn(chainOf(w, b), routing.Priority, "eth_getLogs", logs(`{"fromBlock":"0x0","toBlock":"0x1000"}`))
	if p := r.Plan(context.Background(), c); p.Skipped != 0 || !slices.Equal(planIDs(p), []string{"b"}) {
		t.Errorf("Plan = %v, Skipped %d; want [b], 0 (w has no HTTP channel to skip)", planIDs(p), p.Skipped)
	}
}
