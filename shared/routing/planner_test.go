package routing_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/proxy"
	"github.com/lasso-serverless/lasso/shared/routing"
)

func TestParseToken(t *testing.T) {
	tests := []struct {
		token  string
		want   string
		wantOK bool
	}{
		{"fastest", routing.Fastest, true},
		{"load-balanced", routing.LoadBalanced, true},
		{"load_balanced", routing.LoadBalanced, true},
		{"round-robin", routing.LoadBalanced, true},
		{"round_robin", routing.LoadBalanced, true},
		{"latency-weighted", routing.LatencyWeighted, true},
		{"latency_weighted", routing.LatencyWeighted, true},
		{"priority", routing.Priority, true},
		{"", "", false},
		{"Fastest", "", false},
		{"cheapest", "", false},
		{"round robin", "", false},
		{"fastest ", "", false},
		{"loadbalanced", "", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.token), func(t *testing.T) {
			got, ok := routing.ParseToken(tt.token)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("ParseToken(%q) = %q, %v; want %q, %v", tt.token, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestStrategyNames(t *testing.T) {
	tests := []struct{ got, want string }{
		{routing.Priority, "priority"},
		{routing.LoadBalanced, "load_balanced"},
		{routing.Fastest, "fastest"},
		{routing.LatencyWeighted, "latency_weighted"},
		{routing.Default, "load_balanced"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("strategy name = %q, want %q", tt.got, tt.want)
		}
	}
}

func TestIsPathToken(t *testing.T) {
	tests := []struct {
		segment string
		want    bool
	}{
		{"fastest", true},
		{"load-balanced", true},
		{"round-robin", true},
		{"latency-weighted", true},
		{"priority", false},
		{"load_balanced", false},
		{"round_robin", false},
		{"latency_weighted", false},
		{"ethereum", false},
		{"1", false},
		{"", false},
		{"cheapest-first", false},
		{"Fastest", false},
	}
	for _, tt := range tests {
		if got := routing.IsPathToken(tt.segment); got != tt.want {
			t.Errorf("IsPathToken(%q) = %v, want %v", tt.segment, got, tt.want)
		}
	}
}

func TestPlanOverride(t *testing.T) {
	a, b := httpProv("a", 1), httpProv("b", 2)
	tests := []struct {
		name     string
		override *profile.Provider
		want     []string
	}{
		{name: "override alone", override: b, want: []string{"b"}},
		{name: "override not in the chain", override: httpProv("z", 9), want: []string{"z"}},
		{name: "override without HTTP URL", override: prov("ws", 1, ""), want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, strategy := range []string{"priority", "fastest", "load_balanced", ""} {
				c := &proxy.Call{Profile: testProfile, Chain: chainOf(a, b), Strategy: strategy, Override: tt.override,
					Request: req("eth_blockNumber", `[]`)}
				r, _ := newRouter(routing.Options{})
				got := r.Plan(context.Background(), c)
				if tt.want == nil {
					if len(got.Candidates) != 0 || got.AllOpen {
						t.Errorf("strategy %q: Plan = %+v, want no candidates", strategy, got)
					}
					continue
				}
				if !slices.Equal(planIDs(got), tt.want) || got.Candidates[0].Provider != tt.override {
					t.Errorf("strategy %q: Plan = %v, want exactly the override %v", strategy, planIDs(got), tt.want)
				}
			}
		})
	}
}

func TestPlanOrders(t *testing.T) {
	tests := []struct {
		name      string
		strategy  string
		providers []*profile.Provider
		want      []string
	}{
		{name: "priority sorts by priority", strategy: "priority",
			providers: []*profile.Provider{httpProv("c", 3), httpProv("a", 1), httpProv("b", 2)},
			want:      []string{"a", "b", "c"}},
		{name: "priority is stable on input order", strategy: "priority",
			providers: []*profile.Provider{httpProv("z", 2), httpProv("y", 1), httpProv("x", 2), httpProv("w", 1)},
			want:      []string{"y", "w", "z", "x"}},
		{name: "priority with negative values", strategy: "priority",
			providers: []*profile.Provider{httpProv("p", 0), httpProv("n", -5), httpProv("q", 100)},
			want:      []string{"n", "p", "q"}},
		{name: "priority drops WS-only providers", strategy: "priority",
			providers: []*profile.Provider{httpProv("a", 1), prov("ws", 0, ""), httpProv("b", 2)},
			want:      []string{"a", "b"}},
		{name: "fastest cold orders by id", strategy: "fastest",
			providers: []*profile.Provider{httpProv("infura", 1), httpProv("alchemy", 2), httpProv("drpc", 0)},
			want:      []string{"alchemy", "drpc", "infura"}},
		{name: "fastest drops WS-only providers", strategy: "fastest",
			providers: []*profile.Provider{prov("a-ws", 0, ""), httpProv("c", 1), httpProv("b", 2)},
			want:      []string{"b", "c"}},
		{name: "only WS providers", strategy: "priority",
			providers: []*profile.Provider{prov("a", 0, ""), prov("b", 1, "")},
			want:      []string{}},
		{name: "no providers", strategy: "fastest", providers: nil, want: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := chainOf(tt.providers...)
			before := ids(ch.Providers)
			r, _ := newRouter(routing.Options{})
			got := r.Plan(context.Background(), callOn(ch, tt.strategy, "eth_blockNumber", `[]`))
			if !slices.Equal(planIDs(got), tt.want) {
				t.Errorf("Plan = %v, want %v", planIDs(got), tt.want)
			}
			for _, c := range got.Candidates {
				if c.Transport != proxy.HTTP || c.Breaker != "closed" {
					t.Errorf("candidate %s = %s/%s, want http/closed", c.Provider.ID, c.Transport, c.Breaker)
				}
			}
			if after := ids(ch.Providers); !slices.Equal(after, before) {
				t.Errorf("Plan reordered the chain's providers: %v, was %v", after, before)
			}
		})
	}
}

// Shuffling strategies return a permutation of the HTTP providers and give
// each the first place about equally often.
func TestPlanShuffles(t *testing.T) {
	for _, strategy := range []string{"load_balanced", "latency_weighted", "", "no-such-strategy", "round_robin"} {
		t.Run(fmt.Sprintf("%q", strategy), func(t *testing.T) {
			ch := chainOf(httpProv("a", 1), prov("ws", 0, ""), httpProv("b", 2), httpProv("c", 3))
			p, _ := newRouter(routing.Options{})
			const n = 10000
			first := map[string]int{}
			orders := map[string]bool{}
			c := callOn(ch, strategy, "eth_blockNumber", `[]`)
			for range n {
				got := planIDs(p.Plan(context.Background(), c))
				sorted := slices.Sorted(slices.Values(got))
				if !slices.Equal(sorted, []string{"a", "b", "c"}) {
					t.Fatalf("Plan = %v, want a permutation of [a b c]", got)
				}
				first[got[0]]++
				orders[fmt.Sprint(got)] = true
			}
			for _, id := range []string{"a", "b", "c"} {
				share := float64(first[id]) / n
				if math.Abs(share-1.0/3) > 0.05 {
					t.Errorf("provider %s first in %.1f%% of plans, want 33.3%% ± 5%%", id, 100*share)
				}
			}
			if len(orders) != 6 {
				t.Errorf("distinct orders = %d, want all 6 permutations", len(orders))
			}
			if got := ids(ch.Providers); !slices.Equal(got, []string{"a", "ws", "b", "c"}) {
				t.Errorf("Plan reordered the chain's providers: %v", got)
			}
		})
	}
}

// Plans, admissions and records from many goroutines at once (run with
// -race).
func TestPlanConcurrent(t *testing.T) {
	ch := chainOf(httpProv("a", 1), httpProv("b", 2), httpProv("c", 3), httpProv("d", 4))
	p := routing.New(routing.Options{})
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for _, s := range []string{"load_balanced", "priority", "fastest", "latency_weighted"} {
				c := callOn(ch, s, "eth_blockNumber", `[]`)
				for i := range 200 {
					got := p.Plan(ctx, c)
					if len(got.Candidates) == 0 {
						if !got.AllOpen {
							t.Errorf("Plan = %+v, want candidates or AllOpen", got)
							return
						}
						continue
					}
					cand := got.Candidates[0]
					if p.Admit(ctx, c, cand) == proxy.Refused {
						continue
					}
					o := proxy.Outcome{Success: true, Latency: time.Duration(1+i%7) * time.Millisecond}
					switch (g + i) % 5 {
					case 1:
						o = proxy.Outcome{Category: "server_error", Latency: time.Millisecond}
					case 2:
						o = proxy.Outcome{Category: "rate_limit", Latency: time.Millisecond}
					}
					p.Record(ctx, c, cand, o)
				}
			}
		})
	}
	wg.Wait()
}
