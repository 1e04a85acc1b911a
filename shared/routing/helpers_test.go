package routing_test

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/lasso-serverless/lasso/shared/jsonrpc"
	"github.com/lasso-serverless/lasso/shared/probe"
	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/proxy"
	"github.com/lasso-serverless/lasso/shared/routing"
)

var (
	testProfile  = &profile.Profile{Slug: "public"}
	otherProfile = &profile.Profile{Slug: "team"}
)

// prov is a provider as the profile loader builds it: its own instance,
// archival (Lasso's default), default capabilities.
func prov(id string, priority int, url string) *profile.Provider {
	return &profile.Provider{ID: id, Name: id, Priority: priority, URL: url, InstanceID: "inst-" + id, Archival: true,
		Capabilities: profile.Capabilities{UnsupportedCategories: []string{"local_only"}, MaxBlockRange: -1, MaxBlockAge: -1}}
}

func httpProv(id string, priority int) *profile.Provider {
	return prov(id, priority, "https://"+id+".example/rpc")
}

// provs returns HTTP providers with these ids, priority in order.
func provs(ids ...string) []*profile.Provider {
	out := make([]*profile.Provider, len(ids))
	for i, id := range ids {
		out[i] = httpProv(id, i+1)
	}
	return out
}

func chainOf(ps ...*profile.Provider) *profile.Chain {
	return &profile.Chain{Key: "ethereum", ID: 1, IDHex: []byte(`"0x1"`), Providers: ps,
		Selection: profile.Selection{MaxLagBlocks: -1, ArchivalThreshold: 128}}
}

func ids(ps []*profile.Provider) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

func planIDs(p proxy.Plan) []string {
	out := make([]string, len(p.Candidates))
	for i, c := range p.Candidates {
		out[i] = c.Provider.ID
	}
	return out
}

func req(method, params string) jsonrpc.Request {
	return jsonrpc.Request{ID: json.RawMessage(`1`), Method: method, Params: json.RawMessage(params)}
}

// callOn is a call of the test profile on ch.
func callOn(ch *profile.Chain, strategy, method, params string) *proxy.Call {
	return &proxy.Call{Profile: testProfile, Chain: ch, Strategy: strategy, Request: req(method, params), RequestID: "req-1"}
}

// fakeClock is routing.Options.Now, moved by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// t0 is when every fake clock starts, and the evidence tests' now.
var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// newRouter returns a Router on a fake clock, seeded 42 unless opts says
// otherwise.
func newRouter(opts routing.Options) (*routing.Router, *fakeClock) {
	clk := &fakeClock{t: t0}
	if opts.Now == nil {
		opts.Now = clk.Now
	}
	if opts.Seed == 0 {
		opts.Seed = 42
	}
	return routing.New(opts), clk
}

// channel is p's HTTP channel as a plan would name it.
func channel(p *profile.Provider) proxy.Candidate {
	return proxy.Candidate{Provider: p, Transport: proxy.HTTP, Breaker: "closed"}
}

// record tells r n outcomes o of p's HTTP channel for calls of c's profile.
func record(r *routing.Router, c *proxy.Call, p *profile.Provider, n int, o proxy.Outcome) {
	for range n {
		r.Record(context.Background(), c, channel(p), o)
	}
}

func success(latency time.Duration) proxy.Outcome {
	return proxy.Outcome{Success: true, Latency: latency}
}

func failure(category string) proxy.Outcome {
	return proxy.Outcome{Category: category, Latency: 10 * time.Millisecond}
}

// candidateOf returns p's candidate in plan, if planned.
func candidateOf(plan proxy.Plan, id string) (proxy.Candidate, bool) {
	for _, c := range plan.Candidates {
		if c.Provider.ID == id {
			return c, true
		}
	}
	return proxy.Candidate{}, false
}

// seen is a healthy probe record of a head reported ago before t0.
func seen(height uint64, ago time.Duration) probe.Status {
	return probe.Status{Health: probe.Healthy, Height: height, HeightAt: t0.Add(-ago), CheckedAt: t0.Add(-ago)}
}

// headsOf is Options.Heads serving one view for chain 1 (chainOf's) and
// nothing for any other.
func headsOf(v *probe.View) func(context.Context, int64) *probe.View {
	return func(_ context.Context, chain int64) *probe.View {
		if chain != 1 {
			return nil
		}
		return v
	}
}

// viewOf is chain records by provider: instance ids as prov makes them.
func viewOf(byProvider map[string]probe.Status) *probe.View {
	v := &probe.View{Providers: map[string]probe.Status{}}
	for id, s := range byProvider {
		v.Providers["inst-"+id] = s
	}
	return v
}

// consensusAt is Options.Heads with head as the consensus height at t0 (0:
// nothing known). The height is a probe record of an instance no provider
// uses, so no provider's own height is known: only the consensus matters.
func consensusAt(head uint64) func(context.Context, int64) *probe.View {
	if head == 0 {
		return headsOf(nil)
	}
	return headsOf(viewOf(map[string]probe.Status{"elsewhere": seen(head, 0)}))
}
