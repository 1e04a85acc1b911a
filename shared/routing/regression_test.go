package routing_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/routing"
)

// Regression tests for bugs found by review: each pins the contract.

// Priorities far apart (the profile schema takes any YAML int) must not
// overflow the comparison.
func TestRegressionPriorityOverflow(t *testing.T) {
	ch := chainOf(httpProv("max", math.MaxInt), httpProv("neg", -1), httpProv("min", math.MinInt))
	r, _ := newRouter(routing.Options{Seed: 1})
	got := planIDs(r.Plan(context.Background(), callOn(ch, routing.Priority, "eth_blockNumber", `[]`)))
	if want := []string{"min", "neg", "max"}; !slices.Equal(got, want) {
		t.Errorf("Plan(priority) = %v, want %v", got, want)
	}
}

// A seed repeats the same plans, whatever the garbage collector does.
func TestRegressionSeededPlannerIsNotRepeatable(t *testing.T) {
	var ps []*profile.Provider
	for i := range 6 {
		ps = append(ps, httpProv(fmt.Sprint(i), i))
	}
	run := func() []string {
		p, _ := newRouter(routing.Options{Seed: 42})
		var out []string
		c := callOn(chainOf(ps...), routing.LoadBalanced, "eth_blockNumber", `[]`)
		for range 200 {
			out = append(out, fmt.Sprint(planIDs(p.Plan(context.Background(), c))))
		}
		return out
	}
	a, b := run(), run()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("plan %d: %s vs %s; want the same sequence from the same seed", i, a[i], b[i])
		}
	}
}
