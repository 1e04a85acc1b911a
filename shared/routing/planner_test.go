package routing_test

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/proxy"
	"github.com/lasso-serverless/lasso/shared/routing"
)

func prov(id string, priority int, url string) *profile.Provider {
	return &profile.Provider{ID: id, Name: id, Priority: priority, URL: url}
}

func httpProv(id string, priority int) *profile.Provider {
	return prov(id, priority, "https://"+id+".example/rpc")
}

func chainOf(ps ...*profile.Provider) *profile.Chain {
	return &profile.Chain{Key: "ethereum", ID: 1, IDHex: []byte(`"0x1"`), Providers: ps}
}

func ids(ps []*profile.Provider) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

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
				c := &proxy.Call{Chain: chainOf(a, b), Strategy: strategy, Override: tt.override}
				got := routing.NewPlanner(42).Plan(c)
				if tt.want == nil {
					if got != nil {
						t.Errorf("strategy %q: Plan = %v, want nil", strategy, ids(got))
					}
					continue
				}
				if !slices.Equal(ids(got), tt.want) || got[0] != tt.override {
					t.Errorf("strategy %q: Plan = %v, want exactly the override %v", strategy, ids(got), tt.want)
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
			got := routing.NewPlanner(42).Plan(&proxy.Call{Chain: ch, Strategy: tt.strategy})
			if !slices.Equal(ids(got), tt.want) {
				t.Errorf("Plan = %v, want %v", ids(got), tt.want)
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
			p := routing.NewPlanner(42)
			const n = 10000
			first := map[string]int{}
			orders := map[string]bool{}
			for range n {
				got := p.Plan(&proxy.Call{Chain: ch, Strategy: strategy})
				sorted := slices.Sorted(slices.Values(ids(got)))
				if !slices.Equal(sorted, []string{"a", "b", "c"}) {
					t.Fatalf("Plan = %v, want a permutation of [a b c]", ids(got))
				}
				first[got[0].ID]++
				orders[fmt.Sprint(ids(got))] = true
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

func TestPlanConcurrent(t *testing.T) {
	ch := chainOf(httpProv("a", 1), httpProv("b", 2), httpProv("c", 3), httpProv("d", 4))
	p := routing.NewPlanner(0)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for _, s := range []string{"load_balanced", "priority", "fastest"} {
				for range 200 {
					got := p.Plan(&proxy.Call{Chain: ch, Strategy: s})
					if len(got) != 4 {
						t.Errorf("Plan = %v, want 4 providers", ids(got))
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkPlan(b *testing.B) {
	var ps []*profile.Provider
	for i := range 8 {
		ps = append(ps, httpProv(fmt.Sprintf("p%d", i), 8-i))
	}
	ch := chainOf(ps...)
	for _, strategy := range []string{"load_balanced", "priority", "fastest"} {
		b.Run(strategy, func(b *testing.B) {
			p := routing.NewPlanner(42)
			c := &proxy.Call{Chain: ch, Strategy: strategy}
			b.ReportAllocs()
			for b.Loop() {
				if len(p.Plan(c)) != 8 {
					b.Fatal("short plan")
				}
			}
		})
	}
}
