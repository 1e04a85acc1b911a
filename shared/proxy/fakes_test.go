package proxy_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/jsonrpc"
	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/proxy"
)

// sent is one call the fake transport received.
type sent struct {
	Provider    string
	Body        []byte
	ID          string // the private id of the upstream request
	Method      string
	Params      json.RawMessage
	At          time.Time
	Deadline    time.Time
	HasDeadline bool
}

// step answers one upstream request. id is the private id the request
// carried, so a reply can echo it.
type step func(ctx context.Context, id string) (proxy.Reply, error)

// fakeTransport is a proxy.Transport scripted per provider id. A provider
// with several steps answers its n-th call with step n (the last step
// repeats). Every call is recorded.
type fakeTransport struct {
	t      testing.TB
	mu     sync.Mutex
	script map[string][]step
	calls  []sent
	// received counts, per provider, calls whose outcome did not wrap
	// ErrNotSent: requests that may have reached the provider.
	received map[string]int
}

func newTransport(t testing.TB, script map[string][]step) *fakeTransport {
	return &fakeTransport{t: t, script: script, received: map[string]int{}}
}

func (f *fakeTransport) Send(ctx context.Context, p *profile.Provider, body []byte) (proxy.Reply, error) {
	var w struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      *string         `json:"id"`
		Method  string          `json:"method"`
		Params  json.RawMessage `json:"params"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		f.t.Errorf("upstream body to %s is not JSON: %s (%v)", p.ID, body, err)
	}
	if w.JSONRPC != "2.0" || w.ID == nil {
		f.t.Errorf("upstream body to %s = %s, want jsonrpc 2.0 and a string id", p.ID, body)
	}
	id := ""
	if w.ID != nil {
		id = *w.ID
	}
	dl, ok := ctx.Deadline()
	f.mu.Lock()
	n := 0
	for _, c := range f.calls {
		if c.Provider == p.ID {
			n++
		}
	}
	f.calls = append(f.calls, sent{Provider: p.ID, Body: append([]byte(nil), body...), ID: id,
		Method: w.Method, Params: w.Params, At: time.Now(), Deadline: dl, HasDeadline: ok})
	steps := f.script[p.ID]
	f.mu.Unlock()
	if len(steps) == 0 {
		f.t.Errorf("unscripted provider %s called", p.ID)
		return proxy.Reply{}, fmt.Errorf("unscripted provider %s", p.ID)
	}
	r, err := steps[min(n, len(steps)-1)](ctx, id)
	if !errors.Is(err, proxy.ErrNotSent) {
		f.mu.Lock()
		f.received[p.ID]++
		f.mu.Unlock()
	}
	return r, err
}

// Received returns the providers that may have received the request.
func (f *fakeTransport) Received() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for id, n := range f.received {
		if n > 0 {
			out = append(out, id)
		}
	}
	return out
}

// Calls returns a copy of the recorded calls.
func (f *fakeTransport) Calls() []sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sent(nil), f.calls...)
}

// Providers returns the provider ids called, in order.
func (f *fakeTransport) Providers() []string {
	var out []string
	for _, c := range f.Calls() {
		out = append(out, c.Provider)
	}
	return out
}

// Count returns how many calls provider id received.
func (f *fakeTransport) Count(id string) int {
	n := 0
	for _, c := range f.Calls() {
		if c.Provider == id {
			n++
		}
	}
	return n
}

// ---- steps ----

// body builds a reply body; "$ID" is replaced by the request's private id.
func body(tmpl, id string) []byte { return []byte(strings.ReplaceAll(tmpl, "$ID", id)) }

// ok answers with a result.
func ok(result string) step {
	return reply(200, `{"jsonrpc":"2.0","id":"$ID","result":`+result+`}`)
}

// reply answers with status and a body template.
func reply(status int, tmpl string) step {
	return func(_ context.Context, id string) (proxy.Reply, error) {
		return proxy.Reply{Status: status, Body: body(tmpl, id)}, nil
	}
}

// rateLimited answers 429 with a Retry-After.
func rateLimited(after time.Duration) step {
	return func(_ context.Context, id string) (proxy.Reply, error) {
		return proxy.Reply{Status: 429, Body: []byte("slow down"), RetryAfter: after}, nil
	}
}

var errConnReset = errors.New("read: connection reset by peer")

// netErr fails after the request left.
func netErr() step {
	return func(context.Context, string) (proxy.Reply, error) { return proxy.Reply{}, errConnReset }
}

var errDial = errors.New("dial tcp: connection refused")

// notSent fails before anything left.
func notSent() step {
	return func(context.Context, string) (proxy.Reply, error) {
		return proxy.Reply{}, fmt.Errorf("%w: %w", proxy.ErrNotSent, errDial)
	}
}

// hang blocks until the attempt's context is done, like a provider that
// accepted the request and never answered.
func hang() step {
	return func(ctx context.Context, _ string) (proxy.Reply, error) {
		<-ctx.Done()
		return proxy.Reply{}, ctx.Err()
	}
}

// hangNotSent blocks until the context is done and reports that nothing was
// sent, like a connect that never completes.
func hangNotSent() step {
	return func(ctx context.Context, _ string) (proxy.Reply, error) {
		<-ctx.Done()
		return proxy.Reply{}, fmt.Errorf("%w: %w", proxy.ErrNotSent, ctx.Err())
	}
}

// ---- planner, providers, calls ----

// fixedPlanner returns the same plan for every call: each provider's HTTP
// channel, planned closed.
type fixedPlanner []*profile.Provider

func (p fixedPlanner) Plan(context.Context, *proxy.Call) proxy.Plan {
	out := proxy.Plan{}
	for _, pr := range p {
		out.Candidates = append(out.Candidates, proxy.Candidate{Provider: pr, Transport: proxy.HTTP, Breaker: "closed"})
	}
	return out
}

// planned returns a fixed proxy.Plan, candidates and all.
type planned proxy.Plan

func (p planned) Plan(context.Context, *proxy.Call) proxy.Plan {
	out := proxy.Plan(p)
	out.Candidates = append([]proxy.Candidate(nil), p.Candidates...)
	return out
}

// admitted is a proxy.Health that admits everything and remembers nothing.
type admitted struct{}

func (admitted) Admit(context.Context, *proxy.Call, proxy.Candidate) proxy.Admission {
	return proxy.Admit
}
func (admitted) Record(context.Context, *proxy.Call, proxy.Candidate, proxy.Outcome) {}

// admission is one Admit the fake Health was asked.
type admission struct {
	Provider, Transport, Breaker string
}

// record is one Record the fake Health was told.
type record struct {
	Provider  string
	Transport string
	Outcome   proxy.Outcome
	CtxErr    error // the context's error when Record was called
}

// fakeHealth is a proxy.Health that records every Admit and Record and
// answers Admit from a script per provider id (default Admit).
type fakeHealth struct {
	mu      sync.Mutex
	answers map[string]proxy.Admission
	admits  []admission
	records []record
}

func newHealth(answers map[string]proxy.Admission) *fakeHealth {
	return &fakeHealth{answers: answers}
}

func (h *fakeHealth) Admit(_ context.Context, _ *proxy.Call, cand proxy.Candidate) proxy.Admission {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.admits = append(h.admits, admission{cand.Provider.ID, cand.Transport, cand.Breaker})
	if a, ok := h.answers[cand.Provider.ID]; ok {
		return a
	}
	return proxy.Admit
}

func (h *fakeHealth) Record(ctx context.Context, _ *proxy.Call, cand proxy.Candidate, o proxy.Outcome) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records = append(h.records, record{cand.Provider.ID, cand.Transport, o, ctx.Err()})
}

func (h *fakeHealth) Admits() []admission {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]admission(nil), h.admits...)
}

func (h *fakeHealth) Records() []record {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]record(nil), h.records...)
}

// RecordedProviders returns the providers Record was told about, in order.
func (h *fakeHealth) RecordedProviders() []string {
	var out []string
	for _, r := range h.Records() {
		out = append(out, r.Provider)
	}
	return out
}

// clock is an injected clock anchored at the wall clock when made, so that
// the Forwarder's deadline arithmetic (context deadlines are wall-clock)
// stays sensible; it moves only when advanced.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// after makes a step take d on clk before answering like s.
func after(clk *clock, d time.Duration, s step) step {
	return func(ctx context.Context, id string) (proxy.Reply, error) {
		clk.Advance(d)
		return s(ctx, id)
	}
}

// provider returns an HTTP provider whose instance is its own.
func provider(id string) *profile.Provider {
	return &profile.Provider{ID: id, Name: id, URL: "https://" + id + ".example/rpc", Redacted: "https://" + id + ".example",
		InstanceID: "inst-" + id}
}

func providers(ids ...string) []*profile.Provider {
	out := make([]*profile.Provider, len(ids))
	for i, id := range ids {
		out[i] = provider(id)
	}
	return out
}

func testChain(ps ...*profile.Provider) *profile.Chain {
	return &profile.Chain{Key: "ethereum", Name: "Ethereum", ID: 1, IDHex: []byte(`"0x1"`), Providers: ps}
}

// call builds a call with client id id (raw JSON; "" for a notification).
func call(method, id, params string) *proxy.Call {
	c := &proxy.Call{
		Request:   jsonrpc.Request{Method: method, Params: json.RawMessage(params)},
		Chain:     testChain(),
		Strategy:  "priority",
		RequestID: "req-1",
		Path:      "/rpc/ethereum",
	}
	if id != "" {
		c.Request.ID = json.RawMessage(id)
	}
	return c
}

// fixedTimeout makes every method's timeout d.
func fixedTimeout(d time.Duration) func(string) time.Duration {
	return func(string) time.Duration { return d }
}

func encode(r *jsonrpc.Response) string {
	if r == nil {
		return "<nil>"
	}
	return string(r.AppendJSON(nil))
}
