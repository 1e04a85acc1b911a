package probe_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/breaker"
	"github.com/lasso-serverless/lasso/shared/probe"
	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/proxy"
	"github.com/lasso-serverless/lasso/shared/routing"
)

// clock is the injected time, moved by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// answer is how a scripted provider answers one method.
type answer struct {
	status     int    // HTTP status; 0 means 200
	result     string // JSON result, when status is 2xx and rpcErr is 0
	rpcErr     int
	down       bool // connection refused
	retryAfter time.Duration
}

// providers are scripted upstreams by provider id: each method has an
// answer the test changes between rounds.
type providers struct {
	mu      sync.Mutex
	answers map[string]map[string]answer
	calls   map[string]int // by "id method"
}

func newProviders() *providers {
	return &providers{answers: map[string]map[string]answer{}, calls: map[string]int{}}
}

func (ps *providers) set(id, method string, a answer) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.answers[id] == nil {
		ps.answers[id] = map[string]answer{}
	}
	ps.answers[id][method] = a
}

// at makes provider id answer chain id chainHex and head height.
func (ps *providers) at(id, chainHex string, height uint64) {
	ps.set(id, "eth_chainId", answer{result: `"` + chainHex + `"`})
	ps.set(id, "eth_blockNumber", answer{result: fmt.Sprintf(`"0x%x"`, height)})
}

func (ps *providers) count(id, method string) int {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return ps.calls[id+" "+method]
}

// Send implements proxy.Transport.
func (ps *providers) Send(ctx context.Context, p *profile.Provider, body []byte) (proxy.Reply, error) {
	var req struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return proxy.Reply{}, err
	}
	ps.mu.Lock()
	a, ok := ps.answers[p.ID][req.Method]
	ps.calls[p.ID+" "+req.Method]++
	ps.mu.Unlock()
	switch {
	case !ok || a.down:
		// As Go's HTTP client reports it: with the URL, key and all.
		return proxy.Reply{}, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused to " + p.URL)}
	case a.status != 0 && a.status != 200:
		return proxy.Reply{Status: a.status, Body: []byte(`{"error":"nope ` + p.URL + `"}`), RetryAfter: a.retryAfter}, nil
	case a.rpcErr != 0:
		return proxy.Reply{Status: 200, Body: fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%s,"error":{"code":%d,"message":"bad key %s"}}`, req.ID, a.rpcErr, p.URL)}, nil
	}
	return proxy.Reply{Status: 200, Body: fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%s,"result":%s}`, req.ID, a.result)}, nil
}

// rig is a Prober over a real router and forwarder (memory breakers), the
// scripted providers and an injected clock.
type rig struct {
	cfg      *profile.Config
	clock    *clock
	ps       *providers
	store    *probe.Memory
	breakers *breaker.Memory
	fwd      *proxy.Forwarder
	prober   *probe.Prober
}

const profileYAML = `---
name: Public
slug: public
---
chains:
  ethereum:
    chain_id: 1
    block_time_ms: 12000
    monitoring:
      probe_interval_ms: 12000
    providers:
      - id: alpha
        url: https://alpha.example/v2/SECRETKEYALPHA
      - id: beta
        url: https://beta.example/rpc?apikey=SECRETKEYBETA
      - id: gamma
        url: https://gamma.example/rpc
`

func newRig(t *testing.T, files map[string]string) *rig {
	t.Helper()
	if files == nil {
		files = map[string]string{"public.yml": profileYAML}
	}
	raw := map[string][]byte{}
	for name, body := range files {
		raw[name] = []byte(body)
	}
	cfg, err := profile.Load(raw, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{cfg: cfg, clock: &clock{t: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}, ps: newProviders(),
		store: probe.NewMemory(), breakers: breaker.NewMemory(breaker.DefaultConfig(), func(time.Duration) time.Duration { return 0 })}
	router := routing.New(routing.Options{Seed: 1, Breakers: r.breakers, Now: r.clock.Now})
	// Deadlines stay on real time: the forwarder keeps the real clock.
	r.fwd = proxy.NewForwarder(router, router, r.ps, proxy.Options{})
	r.prober = r.newProber()
	return r
}

// newProber is a Prober over the rig, as a new process (the next Lambda
// invocation) would build it.
func (r *rig) newProber() *probe.Prober {
	return probe.New(probe.Options{
		Pipeline: r.fwd, Transport: r.ps, Store: r.store,
		Targets: func() []probe.Target { return probe.Targets(r.cfg) },
		Now:     r.clock.Now, Jitter: func() float64 { return 0.5 },
	})
}

// view is the chain's records as the store has them.
func (r *rig) view(t *testing.T, chain int64) *probe.View {
	t.Helper()
	vs, err := r.store.Load(context.Background(), []int64{chain})
	if err != nil {
		t.Fatal(err)
	}
	return vs[chain]
}

// status is one provider's record.
func (r *rig) status(t *testing.T, id string) probe.Status {
	t.Helper()
	ch, _ := r.cfg.Profiles()[0].Chain("ethereum")
	pr, _ := ch.Provider(id)
	return r.view(t, ch.ID).Providers[pr.InstanceID]
}

// breakerOf is the provider's HTTP breaker state.
func (r *rig) breakerOf(t *testing.T, id string) breaker.State {
	t.Helper()
	ch, _ := r.cfg.Profiles()[0].Chain("ethereum")
	pr, _ := ch.Provider(id)
	st, err := r.breakers.Load(context.Background(), []breaker.Key{{Instance: pr.InstanceID, Transport: "http"}})
	if err != nil {
		t.Fatal(err)
	}
	return st[0]
}
