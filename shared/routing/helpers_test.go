package routing_test

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/lasso-serverless/lasso/shared/jsonrpc"
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

// newRouter returns a Router on a fake clock, seeded 42 unless opts says
// otherwise.
func newRouter(opts routing.Options) (*routing.Router, *fakeClock) {
	clk := &fakeClock{t: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
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
