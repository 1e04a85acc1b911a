package routing

import (
	"math/rand/v2"
	"sync"
	"time"

	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/proxy"
)

// Planner orders a chain's providers for a call.
type Planner struct {
	// One seeded generator behind a lock, so a seed repeats the same plans
	// (tests rely on it); shuffling ten providers holds it for nanoseconds.
	mu  sync.Mutex
	rng *rand.Rand
}

var _ proxy.Planner = (*Planner)(nil)

// NewPlanner returns a Planner; seed 0 seeds from the clock.
func NewPlanner(seed uint64) *Planner {
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	return &Planner{rng: rand.New(rand.NewPCG(seed, seed>>1|1))}
}

// Plan implements proxy.Planner: the override alone, or every provider with
// an HTTP endpoint in the strategy's order.
func (p *Planner) Plan(c *proxy.Call) []*profile.Provider {
	if c.Override != nil {
		if c.Override.URL == "" {
			return nil
		}
		return []*profile.Provider{c.Override}
	}
	out := make([]*profile.Provider, 0, len(c.Chain.Providers))
	for _, pr := range c.Chain.Providers {
		if pr.URL != "" {
			out = append(out, pr)
		}
	}
	s, ok := strategies[c.Strategy]
	if !ok {
		s = strategies[Default]
	}
	p.mu.Lock()
	s.Order(out, p.rng)
	p.mu.Unlock()
	return out
}
