package routing_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/breaker"
	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/proxy"
	"github.com/lasso-serverless/lasso/shared/routing"
)

// The Router as the Forwarder's Planner and Health, against scripted
// upstreams: the acceptance scenarios of the reference (section 9) that
// concern routing.

type answer func(ctx context.Context, id string) (proxy.Reply, error)

// upstreams is a proxy.Transport scripted per provider id.
type upstreams struct {
	mu     sync.Mutex
	script map[string]answer
	calls  []string
}

func (u *upstreams) Send(ctx context.Context, p *profile.Provider, body []byte) (proxy.Reply, error) {
	var w struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(body, &w)
	u.mu.Lock()
	u.calls = append(u.calls, p.ID)
	a := u.script[p.ID]
	u.mu.Unlock()
	if a == nil {
		return proxy.Reply{}, fmt.Errorf("%w: unscripted provider %s", proxy.ErrNotSent, p.ID)
	}
	return a(ctx, w.ID)
}

func (u *upstreams) set(id string, a answer) {
	u.mu.Lock()
	u.script[id] = a
	u.mu.Unlock()
}

// take returns and forgets the providers called so far.
func (u *upstreams) take() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := u.calls
	u.calls = nil
	return out
}

func result(v string) answer {
	return status(200, `{"jsonrpc":"2.0","id":"$ID","result":`+v+`}`)
}

func status(code int, body string) answer {
	return func(_ context.Context, id string) (proxy.Reply, error) {
		return proxy.Reply{Status: code, Body: []byte(strings.ReplaceAll(body, "$ID", id))}, nil
	}
}

func rpcError(obj string) answer {
	return status(200, `{"jsonrpc":"2.0","id":"$ID","error":`+obj+`}`)
}

func hangs() answer {
	return func(ctx context.Context, _ string) (proxy.Reply, error) {
		<-ctx.Done()
		return proxy.Reply{}, ctx.Err()
	}
}

type rig struct {
	r     *routing.Router
	clk   *fakeClock
	store *breaker.Memory
	up    *upstreams
	fwd   *proxy.Forwarder
	ch    *profile.Chain
}

// newRig: providers a (priority 1) and b (priority 2), answering results
// until told otherwise, behind a Router with exact breaker timings.
func newRig(t *testing.T, ps ...*profile.Provider) *rig {
	t.Helper()
	opts, store := exact()
	r, clk := newRouter(opts)
	if len(ps) == 0 {
		ps = []*profile.Provider{httpProv("a", 1), httpProv("b", 2)}
	}
	up := &upstreams{script: map[string]answer{}}
	for _, p := range ps {
		up.script[p.ID] = result(`"0x` + p.ID + `"`)
	}
	fwd := proxy.NewForwarder(r, r, up, proxy.Options{Timeout: func(string) time.Duration { return time.Second }})
	return &rig{r: r, clk: clk, store: store, up: up, fwd: fwd, ch: chainOf(ps...)}
}

func (g *rig) serve(strategy, method, params string) (*proxy.Call, string, error) {
	c := callOn(g.ch, strategy, method, params)
	resp, err := g.fwd.Serve(context.Background(), c)
	if resp == nil {
		return c, "", err
	}
	return c, string(resp.AppendJSON(nil)), err
}

func (g *rig) provider(id string) *profile.Provider {
	for _, p := range g.ch.Providers {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// Scenario 13: A answers 503, B answers; one retry; A's breaker counts one
// failure.
func TestServeFailover503(t *testing.T) {
	g := newRig(t)
	g.up.set("a", status(503, "Service Unavailable"))
	c, resp, err := g.serve(routing.Priority, "eth_blockNumber", `[]`)
	if err != nil || resp != `{"jsonrpc":"2.0","id":1,"result":"0xb"}` {
		t.Fatalf("Serve = %s, %v; want B's result", resp, err)
	}
	if c.Meta.Retries != 1 || c.Meta.Provider != "b" || c.Meta.Attempts != 2 {
		t.Errorf("Meta = %+v, want provider b, 2 attempts, 1 retry", c.Meta)
	}
	if got := planIDs(proxy.Plan{Candidates: c.Meta.Candidates}); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("Meta.Candidates = %v, want [a b]", got)
	}
	if st := stateOf(t, g.store, g.provider("a")); st.Phase != breaker.Closed || st.Failures != 1 {
		t.Errorf("a's breaker = %+v, want closed with 1 failure", st)
	}
}

// Scenarios 14 and 15: deterministic errors come back, no failover, no
// breaker effect; "header not found" fails over without penalty.
func TestServeProviderErrors(t *testing.T) {
	const revert = `{"code":3,"message":"execution reverted","data":"0x08c379a0000000"}`
	for _, tt := range []struct {
		name     string
		a        answer
		want     string
		wantUp   []string
		failures int
	}{
		{"revert", rpcError(revert), `{"jsonrpc":"2.0","id":1,"error":` + revert + `}`, []string{"a"}, 0},
		{"invalid params", rpcError(`{"code":-32602,"message":"invalid params"}`),
			`{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"invalid params"}}`, []string{"a"}, 0},
		{"header not found", rpcError(`{"code":-32000,"message":"header not found"}`),
			`{"jsonrpc":"2.0","id":1,"result":"0xb"}`, []string{"a", "b"}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := newRig(t)
			g.up.set("a", tt.a)
			_, resp, err := g.serve(routing.Priority, "eth_call", `[{"to":"0x0"},"latest"]`)
			if err != nil || resp != tt.want {
				t.Errorf("Serve = %s, %v; want %s", resp, err, tt.want)
			}
			if got := g.up.take(); !slices.Equal(got, tt.wantUp) {
				t.Errorf("upstreams called %v, want %v", got, tt.wantUp)
			}
			if st := stateOf(t, g.store, g.provider("a")); st.Phase != breaker.Closed || st.Failures != tt.failures {
				t.Errorf("a's breaker = %+v, want closed with %d failures", st, tt.failures)
			}
		})
	}
}

// Scenario 16: JSON-RPC rate limits fail over, never open the breaker, and
// put the provider behind the others for 30 s; a raw 429 likewise.
func TestServeRateLimited(t *testing.T) {
	for _, tt := range []struct {
		name string
		a    answer
		wait time.Duration
	}{
		{"JSON-RPC -32005", rpcError(`{"code":-32005,"message":"rate limit exceeded"}`), 30 * time.Second},
		{"HTTP 429", status(429, "slow down"), 30 * time.Second},
		{"HTTP 429 with Retry-After", func(context.Context, string) (proxy.Reply, error) {
			return proxy.Reply{Status: 429, RetryAfter: 45 * time.Second}, nil
		}, 45 * time.Second},
		{"JSON-RPC error with a wait in data", rpcError(`{"code":-32005,"message":"limit","data":{"retry_after":12}}`), 12 * time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := newRig(t)
			g.up.set("a", tt.a)
			c, resp, err := g.serve(routing.Priority, "eth_blockNumber", `[]`)
			if err != nil || resp != `{"jsonrpc":"2.0","id":1,"result":"0xb"}` {
				t.Fatalf("Serve = %s, %v; want B's result", resp, err)
			}
			if got := g.up.take(); !slices.Equal(got, []string{"a", "b"}) {
				t.Errorf("first call: upstreams %v, want [a b]", got)
			}
			if c.Meta.Retries != 1 {
				t.Errorf("Meta.Retries = %d, want 1", c.Meta.Retries)
			}
			for range 10 {
				g.up.set("a", tt.a)
				if _, _, err := g.serve(routing.Priority, "eth_blockNumber", `[]`); err != nil {
					t.Fatal(err)
				}
			}
			// B answers first now: A is tier 3 and never asked.
			if got := g.up.take(); slices.Contains(got, "a") {
				t.Errorf("while rate-limited: upstreams %v, want a never asked", got)
			}
			if st := stateOf(t, g.store, g.provider("a")); st.Phase != breaker.Closed || st.Failures != 0 {
				t.Errorf("a's breaker = %+v, want closed without failures", st)
			}
			g.clk.Advance(tt.wait - time.Millisecond)
			if got := plan(g.r, callOn(g.ch, routing.Priority, "eth_blockNumber", `[]`)); !slices.Equal(got, []string{"b", "a"}) {
				t.Errorf("just before the wait ends: Plan = %v, want [b a]", got)
			}
			g.clk.Advance(time.Millisecond)
			if got := plan(g.r, callOn(g.ch, routing.Priority, "eth_blockNumber", `[]`)); !slices.Equal(got, []string{"a", "b"}) {
				t.Errorf("after the wait: Plan = %v, want [a b]", got)
			}
		})
	}
	t.Run("nothing else succeeds: the rate limit comes back", func(t *testing.T) {
		g := newRig(t)
		g.up.set("a", status(429, ""))
		g.up.set("b", status(429, ""))
		_, _, err := g.serve(routing.Priority, "eth_blockNumber", `[]`)
		if !errors.Is(err, proxy.ErrRateLimited) {
			t.Errorf("error = %v, want ErrRateLimited", err)
		}
	})
}

// Scenarios 17 to 19: five 5xx open A; traffic then avoids it; after the
// recovery time A is half-open, tried only when B fails; two successful
// trials close it; all open gives the shortest wait.
func TestServeBreakerLifecycle(t *testing.T) {
	g := newRig(t)
	g.up.set("a", status(502, ""))
	for range 5 {
		if _, _, err := g.serve(routing.Priority, "eth_blockNumber", `[]`); err != nil {
			t.Fatal(err)
		}
	}
	if st := stateOf(t, g.store, g.provider("a")); st.Phase != breaker.Open {
		t.Fatalf("a's breaker = %+v, want open after 5 server errors", st)
	}
	g.up.take()
	g.up.set("a", result(`"0xa"`))
	for range 3 {
		if _, resp, _ := g.serve(routing.Priority, "eth_blockNumber", `[]`); resp != `{"jsonrpc":"2.0","id":1,"result":"0xb"}` {
			t.Errorf("a open: Serve = %s, want B's result", resp)
		}
	}
	if got := g.up.take(); slices.Contains(got, "a") {
		t.Errorf("a open: upstreams %v, want a never asked", got)
	}

	// All open: B fails too.
	g.up.set("b", status(500, ""))
	for range 5 {
		_, _, _ = g.serve(routing.Priority, "eth_blockNumber", `[]`)
	}
	g.clk.Advance(10 * time.Second)
	_, _, err := g.serve(routing.Priority, "eth_blockNumber", `[]`)
	var ao *proxy.AllOpenError
	if !errors.As(err, &ao) || ao.RetryIn != 50*time.Second {
		t.Fatalf("all open: error = %v, want *AllOpenError{50s}", err)
	}

	// a due: half-open, alone in the plan (b still open), trial succeeds.
	g.clk.Advance(50 * time.Second)
	g.up.take()
	c, resp, err := g.serve(routing.Priority, "eth_blockNumber", `[]`)
	if err != nil || resp != `{"jsonrpc":"2.0","id":1,"result":"0xa"}` || c.Meta.Breaker != "half_open" {
		t.Fatalf("a due: Serve = %s, %v (breaker %q); want A's result from a half-open trial", resp, err, c.Meta.Breaker)
	}
	_, _, _ = g.serve(routing.Priority, "eth_blockNumber", `[]`)
	if st := stateOf(t, g.store, g.provider("a")); st.Phase != breaker.Closed {
		t.Errorf("after two successful trials a's breaker = %+v, want closed", st)
	}
}

// Scenario 17: a half-open provider is tier 2: client traffic reaches it
// only when the tier-1 providers fail.
func TestServeHalfOpenOnlyAfterTierOne(t *testing.T) {
	g := newRig(t)
	a := g.provider("a")
	record(g.r, callOn(g.ch, "", "eth_blockNumber", `[]`), a, 5, failure("server_error"))
	g.clk.Advance(60 * time.Second)
	for range 5 {
		if _, resp, err := g.serve(routing.Priority, "eth_blockNumber", `[]`); err != nil || !strings.Contains(resp, "0xb") {
			t.Fatalf("Serve = %s, %v; want B's result", resp, err)
		}
	}
	if got := g.up.take(); slices.Contains(got, "a") {
		t.Errorf("upstreams %v, want half-open a never asked while b answers", got)
	}
	g.up.set("b", status(503, ""))
	c, resp, err := g.serve(routing.Priority, "eth_blockNumber", `[]`)
	if err != nil || !strings.Contains(resp, "0xa") || c.Meta.Breaker != "half_open" {
		t.Errorf("b failing: Serve = %s, %v (breaker %q); want A's answer from its trial", resp, err, c.Meta.Breaker)
	}
	if got := g.up.take(); !slices.Equal(got, []string{"b", "a"}) {
		t.Errorf("upstreams %v, want [b a]", got)
	}
}

// Scenario 18: network errors open after 3; timeouts never open it but do
// fail over.
func TestServeNetworkErrorsAndTimeouts(t *testing.T) {
	g := newRig(t)
	g.up.set("a", func(context.Context, string) (proxy.Reply, error) {
		return proxy.Reply{}, errors.New("connection reset by peer")
	})
	for range 3 {
		if _, resp, err := g.serve(routing.Priority, "eth_blockNumber", `[]`); err != nil || !strings.Contains(resp, "0xb") {
			t.Fatalf("Serve = %s, %v; want B's result", resp, err)
		}
	}
	if st := stateOf(t, g.store, g.provider("a")); st.Phase != breaker.Open {
		t.Errorf("after 3 network errors a's breaker = %+v, want open", st)
	}

	g = newRig(t)
	g.fwd = proxy.NewForwarder(g.r, g.r, g.up, proxy.Options{Timeout: func(string) time.Duration { return 100 * time.Millisecond }})
	g.up.set("a", hangs())
	for range 3 {
		if _, resp, err := g.serve(routing.Priority, "eth_blockNumber", `[]`); err != nil || !strings.Contains(resp, "0xb") {
			t.Fatalf("Serve = %s, %v; want B's result", resp, err)
		}
	}
	if st := stateOf(t, g.store, g.provider("a")); st.Phase != breaker.Closed || st.Failures != 0 {
		t.Errorf("after 3 timeouts a's breaker = %+v, want closed, no failures", st)
	}
}

// Scenario 22 end to end: eth_call never reaches the provider that does not
// support it.
func TestServeCapabilities(t *testing.T) {
	a, b := httpProv("a", 1), httpProv("b", 2)
	a.Capabilities.UnsupportedMethods = []string{"eth_call"}
	g := newRig(t, a, b)
	for _, s := range allStrategies {
		for range 10 {
			if _, resp, err := g.serve(s, "eth_call", `[{"to":"0x0"},"latest"]`); err != nil || !strings.Contains(resp, "0xb") {
				t.Fatalf("Serve = %s, %v; want B's result", resp, err)
			}
		}
	}
	if got := g.up.take(); slices.Contains(got, "a") {
		t.Errorf("upstreams %v, want a never asked for eth_call", got)
	}
}

// Scenario 30 with breakers: an override of an open provider is an
// all-open error, and no other provider is tried.
func TestServeOverrideOpen(t *testing.T) {
	g := newRig(t)
	record(g.r, callOn(g.ch, "", "eth_blockNumber", `[]`), g.provider("a"), 5, failure("server_error"))
	c := callOn(g.ch, routing.Priority, "eth_blockNumber", `[]`)
	c.Override = g.provider("a")
	_, err := g.fwd.Serve(context.Background(), c)
	var ao *proxy.AllOpenError
	if !errors.As(err, &ao) || ao.RetryIn != 60*time.Second {
		t.Errorf("error = %v, want *AllOpenError{60s}", err)
	}
	if got := g.up.take(); len(got) != 0 {
		t.Errorf("upstreams %v, want none", got)
	}
}

// A half-open trial that times out at the call's deadline says nothing
// against the upstream (timeouts are exempt), and must release the trial
// lease so the next call may try.
func TestServeTrialTimeoutReleasesLease(t *testing.T) {
	g := newRig(t)
	g.fwd = proxy.NewForwarder(g.r, g.r, g.up, proxy.Options{Timeout: func(string) time.Duration { return 100 * time.Millisecond }})
	a := g.provider("a")
	c := callOn(g.ch, routing.Priority, "eth_blockNumber", `[]`)
	c.Override = a
	record(g.r, c, a, 5, failure("server_error"))
	g.clk.Advance(60 * time.Second)
	g.up.set("a", hangs())
	if _, err := g.fwd.Serve(context.Background(), c); !errors.Is(err, proxy.ErrTimeout) {
		t.Fatalf("error = %v, want ErrTimeout", err)
	}
	ca, _ := candidateOf(g.r.Plan(context.Background(), c), "a")
	if got := g.r.Admit(context.Background(), c, ca); got != proxy.Trial {
		t.Errorf("Admit after the timed-out trial = %v, want Trial (lease released)", got)
	}
}

// A client that goes away mid-attempt says nothing about the upstream.
func TestServeClientCancelIsNotAProviderFailure(t *testing.T) {
	g := newRig(t)
	a := g.provider("a")
	call := callOn(g.ch, routing.Fastest, "eth_blockNumber", `[]`)
	record(g.r, call, a, 3, success(10*time.Millisecond))
	record(g.r, call, g.provider("b"), 3, success(20*time.Millisecond))
	for range 3 {
		ctx, cancel := context.WithCancel(context.Background())
		g.up.set("a", func(ctx context.Context, _ string) (proxy.Reply, error) {
			cancel()
			<-ctx.Done()
			return proxy.Reply{}, ctx.Err()
		})
		c := callOn(g.ch, routing.Fastest, "eth_blockNumber", `[]`)
		if _, err := g.fwd.Serve(ctx, c); !errors.Is(err, proxy.ErrCanceled) {
			t.Fatalf("error = %v, want ErrCanceled", err)
		}
	}
	if got := plan(g.r, call); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("after 3 cancelled calls: fastest Plan = %v, want [a b] (a still qualified)", got)
	}
	if st := stateOf(t, g.store, a); st.Phase != breaker.Closed || st.Failures != 0 {
		t.Errorf("after 3 cancelled calls a's breaker = %+v, want closed without failures", st)
	}
}
