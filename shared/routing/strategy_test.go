package routing_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/proxy"
	"github.com/lasso-serverless/lasso/shared/routing"
)

func plan(r *routing.Router, c *proxy.Call) []string {
	return planIDs(r.Plan(context.Background(), c))
}

// Scenario 26: fastest ranks qualified channels by EWMA latency; three
// consecutive failures cost qualification; with no evidence, provider id.
func TestFastest(t *testing.T) {
	a, b, c := httpProv("a", 1), httpProv("b", 2), httpProv("c", 3)
	r, clk := newRouter(routing.Options{})
	call := callOn(chainOf(c, a, b), routing.Fastest, "eth_blockNumber", `[]`)

	if got, want := plan(r, call), []string{"a", "b", "c"}; !slices.Equal(got, want) {
		t.Errorf("no evidence: Plan = %v, want %v (provider id)", got, want)
	}
	record(r, call, a, 3, success(100*time.Millisecond))
	record(r, call, b, 3, success(50*time.Millisecond))
	if got, want := plan(r, call), []string{"b", "a", "c"}; !slices.Equal(got, want) {
		t.Errorf("b 50ms, a 100ms: Plan = %v, want %v", got, want)
	}
	// Two fast successes measure c but do not qualify it.
	record(r, call, c, 2, success(10*time.Millisecond))
	if got, want := plan(r, call), []string{"b", "a", "c"}; !slices.Equal(got, want) {
		t.Errorf("c measured, unqualified: Plan = %v, want %v", got, want)
	}
	record(r, call, c, 1, success(10*time.Millisecond))
	if got, want := plan(r, call), []string{"c", "b", "a"}; !slices.Equal(got, want) {
		t.Errorf("c qualified at 10ms: Plan = %v, want %v", got, want)
	}
	// Neutral outcomes say nothing about speed.
	record(r, call, a, 20, proxy.Outcome{Category: "execution_revert", Latency: time.Millisecond, Neutral: true})
	if got, want := plan(r, call), []string{"c", "b", "a"}; !slices.Equal(got, want) {
		t.Errorf("after neutral outcomes for a: Plan = %v, want %v", got, want)
	}
	record(r, call, c, 2, failure("server_error"))
	if got, want := plan(r, call), []string{"c", "b", "a"}; !slices.Equal(got, want) {
		t.Errorf("c two failures: Plan = %v, want %v (still qualified)", got, want)
	}
	record(r, call, c, 1, failure("server_error"))
	if got, want := plan(r, call), []string{"b", "a", "c"}; !slices.Equal(got, want) {
		t.Errorf("c three consecutive failures: Plan = %v, want %v (unqualified)", got, want)
	}
	// Stale evidence ranks by id again.
	clk.Advance(301 * time.Second)
	if got, want := plan(r, call), []string{"a", "b", "c"}; !slices.Equal(got, want) {
		t.Errorf("evidence stale: Plan = %v, want %v (provider id)", got, want)
	}
}

// Evidence belongs to one profile: another profile's traffic to the same
// upstream does not rank it.
func TestFastestEvidenceIsPerProfile(t *testing.T) {
	a, b := httpProv("a", 1), httpProv("b", 2)
	r, _ := newRouter(routing.Options{})
	ch := chainOf(a, b)
	public := callOn(ch, routing.Fastest, "eth_blockNumber", `[]`)
	team := callOn(ch, routing.Fastest, "eth_blockNumber", `[]`)
	team.Profile = otherProfile
	record(r, public, a, 3, success(200*time.Millisecond))
	record(r, public, b, 3, success(20*time.Millisecond))
	if got, want := plan(r, public), []string{"b", "a"}; !slices.Equal(got, want) {
		t.Errorf("public: Plan = %v, want %v", got, want)
	}
	if got, want := plan(r, team), []string{"a", "b"}; !slices.Equal(got, want) {
		t.Errorf("team (no evidence of its own): Plan = %v, want %v", got, want)
	}
}

// Scenario 27: two qualified providers at 50 ms and 100 ms, beta 3: weights
// 1 and 1/8, so the faster one is first in 8 plans of 9.
func TestLatencyWeightedShare(t *testing.T) {
	for _, seed := range []uint64{1, 42, 20250601} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			fast, slow := httpProv("fast", 2), httpProv("slow", 1)
			r, _ := newRouter(routing.Options{Seed: seed})
			call := callOn(chainOf(slow, fast), routing.LatencyWeighted, "eth_blockNumber", `[]`)
			record(r, call, fast, 3, success(50*time.Millisecond))
			record(r, call, slow, 3, success(100*time.Millisecond))
			const n = 10000
			first := 0
			for range n {
				got := plan(r, call)
				if len(got) != 2 {
					t.Fatalf("Plan = %v, want 2 candidates", got)
				}
				if got[0] == "fast" {
					first++
				}
			}
			share := float64(first) / n
			if want := 1 / (1 + 0.125); math.Abs(share-want) > 0.02 {
				t.Errorf("fast first in %.4f of plans, want %.4f ± 0.02", share, want)
			}
		})
	}
}

// The exponent is an option.
func TestLatencyWeightedBeta(t *testing.T) {
	fast, slow := httpProv("fast", 1), httpProv("slow", 2)
	r, _ := newRouter(routing.Options{Beta: 1})
	call := callOn(chainOf(slow, fast), routing.LatencyWeighted, "eth_blockNumber", `[]`)
	record(r, call, fast, 3, success(50*time.Millisecond))
	record(r, call, slow, 3, success(100*time.Millisecond))
	const n = 10000
	first := 0
	for range n {
		if plan(r, call)[0] == "fast" {
			first++
		}
	}
	if share, want := float64(first)/n, 2.0/3; math.Abs(share-want) > 0.02 {
		t.Errorf("beta 1: fast first in %.4f of plans, want %.4f ± 0.02", share, want)
	}
}

// Qualified channels race first, then measured unqualified ones, then the
// unmeasured in random order.
func TestLatencyWeightedGroups(t *testing.T) {
	q1, q2, m, u1, u2 := httpProv("q1", 5), httpProv("q2", 4), httpProv("m", 3), httpProv("u1", 2), httpProv("u2", 1)
	r, _ := newRouter(routing.Options{})
	call := callOn(chainOf(u2, u1, m, q2, q1), routing.LatencyWeighted, "eth_blockNumber", `[]`)
	record(r, call, q1, 3, success(80*time.Millisecond))
	record(r, call, q2, 3, success(90*time.Millisecond))
	record(r, call, m, 1, success(time.Millisecond)) // fastest, but one sample
	orders := map[string]int{}
	for range 2000 {
		got := plan(r, call)
		if len(got) != 5 {
			t.Fatalf("Plan = %v, want 5", got)
		}
		if q := slices.Sorted(slices.Values(got[:2])); !slices.Equal(q, []string{"q1", "q2"}) {
			t.Fatalf("Plan = %v, want the qualified q1, q2 first", got)
		}
		if got[2] != "m" {
			t.Fatalf("Plan = %v, want the measured m third", got)
		}
		orders[fmt.Sprint(got)]++
	}
	for _, want := range [][]string{{"q1", "q2", "m", "u1", "u2"}, {"q1", "q2", "m", "u2", "u1"}, {"q2", "q1", "m", "u1", "u2"}} {
		if orders[fmt.Sprint(want)] == 0 {
			t.Errorf("order %v never drawn in 2000 plans; orders seen %v", want, orders)
		}
	}
}

// priority ignores evidence.
func TestPriorityIgnoresEvidence(t *testing.T) {
	a, b, c := httpProv("a", 3), httpProv("b", 1), httpProv("c", 2)
	r, _ := newRouter(routing.Options{})
	call := callOn(chainOf(a, b, c), routing.Priority, "eth_blockNumber", `[]`)
	record(r, call, a, 5, success(time.Millisecond))
	record(r, call, b, 5, success(time.Second))
	if got, want := plan(r, call), []string{"b", "c", "a"}; !slices.Equal(got, want) {
		t.Errorf("Plan = %v, want %v", got, want)
	}
}

// load_balanced stays uniform whatever the evidence says.
func TestLoadBalancedIgnoresEvidence(t *testing.T) {
	ps := provs("a", "b", "c")
	r, _ := newRouter(routing.Options{})
	call := callOn(chainOf(ps...), routing.LoadBalanced, "eth_blockNumber", `[]`)
	record(r, call, ps[0], 5, success(time.Millisecond))
	record(r, call, ps[1], 5, success(500*time.Millisecond))
	const n = 9000
	first := map[string]int{}
	for range n {
		first[plan(r, call)[0]]++
	}
	for _, id := range []string{"a", "b", "c"} {
		if share := float64(first[id]) / n; math.Abs(share-1.0/3) > 0.03 {
			t.Errorf("%s first in %.3f of plans, want 1/3 ± 0.03", id, share)
		}
	}
}

// Strategies order only what they are given: none reorders the chain.
func TestStrategiesLeaveTheChainAlone(t *testing.T) {
	ps := provs("e", "d", "c", "b", "a")
	ch := chainOf(ps...)
	r, _ := newRouter(routing.Options{})
	for i, p := range ps {
		record(r, callOn(ch, "", "eth_blockNumber", `[]`), p, 3, success(time.Duration(10*(i+1))*time.Millisecond))
	}
	for _, s := range []string{routing.Priority, routing.LoadBalanced, routing.Fastest, routing.LatencyWeighted} {
		for range 50 {
			r.Plan(context.Background(), callOn(ch, s, "eth_blockNumber", `[]`))
		}
	}
	if got := ids(ch.Providers); !slices.Equal(got, []string{"e", "d", "c", "b", "a"}) {
		t.Errorf("chain providers = %v, want them untouched", got)
	}
}
