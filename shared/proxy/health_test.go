package proxy_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/proxy"
)

// rpcErr answers 200 with a JSON-RPC error object (raw JSON).
func rpcErr(obj string) step {
	return reply(200, `{"jsonrpc":"2.0","id":"$ID","error":`+obj+`}`)
}

// Provider JSON-RPC errors by verdict.
const (
	errRevert       = `{"code":3,"message":"execution reverted","data":"0x08c379a0"}`
	errInvalid      = `{"code":-32602,"message":"invalid argument 0: hex string without 0x prefix"}`
	errBare32000    = `{"code":-32000,"message":"something odd"}`
	errRateLimit    = `{"code":-32005,"message":"rate limit exceeded"}`
	errRateLimitIn  = `{"code":-32005,"message":"daily quota exceeded","data":{"retry_after":5}}`
	errHeader       = `{"code":-32000,"message":"header not found","data":{"block":"0x1"}}`
	errTrie         = `{"code":-32000,"message":"missing trie node 0xabc"}`
	errUnknownCode  = `{"code":12345,"message":"weird","data":[1,2]}`
	errInternal     = `{"code":-32603,"message":"internal error"}`
	errMethodAbsent = `{"code":-32601,"message":"the method eth_foo does not exist"}`
)

// Quota, capability and provider-failure errors fail a replay-safe call over
// to the next provider; the outcome told to Health says whether the channel
// is to blame.
func TestForwarderFailsOverOnNonDeterministicErrors(t *testing.T) {
	tests := []struct {
		name        string
		a           step
		wantCat     string
		wantNeutral bool
		wantRetry   time.Duration
	}{
		{"rate limit", rpcErr(errRateLimit), "rate_limit", false, 0},
		{"rate limit with retry_after", rpcErr(errRateLimitIn), "rate_limit", false, 5 * time.Second},
		{"rate limit phrase in message", rpcErr(`{"code":-32016,"message":"Too many requests, try again in 30 seconds"}`),
			"rate_limit", false, 30 * time.Second},
		{"rate limit retry_after_ms in nested data", rpcErr(`{"code":-32005,"message":"slow","data":{"rate":{"retry_after_ms":1500}}}`),
			"rate_limit", false, 1500 * time.Millisecond},
		{"header not found", rpcErr(errHeader), "block_not_available", true, 0},
		{"missing trie node", rpcErr(errTrie), "capability_violation", true, 0},
		{"unknown code", rpcErr(errUnknownCode), "unknown_error", true, 0},
		{"method not found", rpcErr(errMethodAbsent), "method_not_found", true, 0},
		{"404 method not found", reply(404, `{"jsonrpc":"2.0","id":"$ID","error":`+errMethodAbsent+`}`), "method_not_found", true, 0},
		{"internal error", rpcErr(errInternal), "internal_error", false, 0},
		{"401 unauthorized", reply(401, `{"error":{"code":-32001,"message":"unauthorized","data":"key"}}`), "auth_error", false, 0},
		{"-32002 server error", rpcErr(`{"code":-32002,"message":"busy"}`), "server_error", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			tr := newTransport(t, map[string][]step{"A": {after(clk, 40*time.Millisecond, tt.a)}, "B": {after(clk, 10*time.Millisecond, ok(`"0xb"`))}})
			h := newHealth(nil)
			c := call("eth_getBalance", `1`, `["0x0","latest"]`)
			resp, err := proxy.NewForwarder(fixedPlanner(providers("A", "B")), h, tr, proxy.Options{Now: clk.Now}).Serve(context.Background(), c)
			if err != nil || encode(resp) != `{"jsonrpc":"2.0","id":1,"result":"0xb"}` {
				t.Fatalf("Serve = %s, %v; want B's result", encode(resp), err)
			}
			if got, want := tr.Providers(), []string{"A", "B"}; !slices.Equal(got, want) {
				t.Errorf("providers called = %v, want %v", got, want)
			}
			recs := h.Records()
			if len(recs) != 2 {
				t.Fatalf("Records = %+v, want 2", recs)
			}
			wantA := proxy.Outcome{Category: tt.wantCat, Latency: 40 * time.Millisecond, RetryAfter: tt.wantRetry, Neutral: tt.wantNeutral}
			if recs[0].Provider != "A" || recs[0].Transport != proxy.HTTP || recs[0].Outcome != wantA {
				t.Errorf("Record A = %+v, want %+v", recs[0], wantA)
			}
			wantB := proxy.Outcome{Success: true, Latency: 10 * time.Millisecond}
			if recs[1].Provider != "B" || recs[1].Outcome != wantB {
				t.Errorf("Record B = %+v, want %+v", recs[1], wantB)
			}
			if got := metaCore(c.Meta); got != (core{Provider: "B", Attempts: 2, Retries: 1}) {
				t.Errorf("Meta = %+v, want B, 2 attempts, 1 retry", got)
			}
		})
	}
}

// When every attempt ends in a quota, capability or provider-failure
// JSON-RPC error, the last provider's error object is the answer, unchanged.
func TestForwarderExhaustionReturnsLastErrorObject(t *testing.T) {
	tests := []struct {
		name string
		a, b string // error objects
	}{
		{"both rate limited", errRateLimit, errRateLimitIn},
		{"both capability", errHeader, errTrie},
		{"quota then capability", errRateLimit, errHeader},
		{"capability then unknown code", errTrie, errUnknownCode},
		{"both internal errors", errInternal, `{"code":-32603,"message":"boom","data":{"x":[1, 2]}}`},
		{"method not found then rate limit", errMethodAbsent, errRateLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTransport(t, map[string][]step{"A": {rpcErr(tt.a)}, "B": {rpcErr(tt.b)}})
			c := call("eth_call", `"q"`, `[{"to":"0x0"},"latest"]`)
			resp, err := serve(context.Background(), tr, []string{"A", "B"}, proxy.Options{}, c)
			if err != nil {
				t.Fatalf("Serve error = %v, want B's error object as a response", err)
			}
			if want := `{"jsonrpc":"2.0","id":"q","error":` + tt.b + `}`; encode(resp) != want {
				t.Errorf("response = %s, want %s", encode(resp), want)
			}
			if got, want := tr.Providers(), []string{"A", "B"}; !slices.Equal(got, want) {
				t.Errorf("providers called = %v, want %v", got, want)
			}
		})
	}
	t.Run("a transport failure last wins over an earlier error object", func(t *testing.T) {
		tr := newTransport(t, map[string][]step{"A": {rpcErr(errRateLimit)}, "B": {reply(503, "")}})
		resp, err := serve(context.Background(), tr, []string{"A", "B"}, proxy.Options{}, call("eth_call", `1`, `[]`))
		var se *proxy.StatusError
		if !errors.As(err, &se) || se.Status != 503 || resp != nil {
			t.Errorf("Serve = %s, %v; want B's *StatusError 503", encode(resp), err)
		}
	})
	t.Run("an error object last wins over an earlier transport failure", func(t *testing.T) {
		tr := newTransport(t, map[string][]step{"A": {reply(503, "")}, "B": {rpcErr(errHeader)}})
		resp, err := serve(context.Background(), tr, []string{"A", "B"}, proxy.Options{}, call("eth_call", `1`, `[]`))
		if err != nil || encode(resp) != `{"jsonrpc":"2.0","id":1,"error":`+errHeader+`}` {
			t.Errorf("Serve = %s, %v; want B's error object", encode(resp), err)
		}
	})
	t.Run("quota errors use the dispatch budget", func(t *testing.T) {
		script := map[string][]step{}
		for _, id := range []string{"A", "B", "C", "D", "E"} {
			script[id] = []step{rpcErr(fmt.Sprintf(`{"code":-32005,"message":"rate limit %s"}`, id))}
		}
		tr := newTransport(t, script)
		c := call("eth_blockNumber", `1`, `[]`)
		resp, err := serve(context.Background(), tr, []string{"A", "B", "C", "D", "E"}, proxy.Options{}, c)
		if err != nil || resp.Error == nil || resp.Error.Message != "rate limit C" {
			t.Errorf("Serve = %s, %v; want C's error object", encode(resp), err)
		}
		if got, want := tr.Providers(), []string{"A", "B", "C"}; !slices.Equal(got, want) {
			t.Errorf("providers called = %v, want %v", got, want)
		}
	})
}

// Every dispatched attempt is told to Health once, with what it showed.
func TestForwarderRecordsOutcomes(t *testing.T) {
	const lat = 40 * time.Millisecond
	tests := []struct {
		name   string
		method string
		a      step
		want   proxy.Outcome
		// wantB: A's outcome lets the call go on to B (which succeeds).
		wantB bool
	}{
		{name: "success", a: ok(`"0x1"`), want: proxy.Outcome{Success: true, Latency: lat}},
		{name: "HTTP 503", a: reply(503, ""), want: proxy.Outcome{Category: "server_error", Latency: lat}, wantB: true},
		{name: "HTTP 500 with a JSON-RPC body", a: reply(500, `{"error":{"code":-32000,"message":"x"}}`),
			want: proxy.Outcome{Category: "server_error", Latency: lat}, wantB: true},
		{name: "HTTP 403 HTML", a: reply(403, "<html/>"), want: proxy.Outcome{Category: "server_error", Latency: lat}, wantB: true},
		{name: "network error", a: netErr(), want: proxy.Outcome{Category: "network_error", Latency: lat}, wantB: true},
		{name: "invalid response", a: reply(200, `{"jsonrpc":"2.0","id":"x","result":1}`),
			want: proxy.Outcome{Category: "protocol_error", Latency: lat}, wantB: true},
		{name: "429 with Retry-After", a: rateLimited(7 * time.Second),
			want: proxy.Outcome{Category: "rate_limit", Latency: lat, RetryAfter: 7 * time.Second}, wantB: true},
		{name: "429 without a header, wait in the body", a: reply(429, `{"error":{"code":429,"message":"Too many requests, try again in 30 seconds"}}`),
			want: proxy.Outcome{Category: "rate_limit", Latency: lat, RetryAfter: 30 * time.Second}, wantB: true},
		{name: "429 header wins over the body", a: func(_ context.Context, _ string) (proxy.Reply, error) {
			return proxy.Reply{Status: 429, Body: []byte(`{"error":{"code":429,"message":"try again in 30 seconds"}}`), RetryAfter: 2 * time.Second}, nil
		}, want: proxy.Outcome{Category: "rate_limit", Latency: lat, RetryAfter: 2 * time.Second}, wantB: true},
		{name: "JSON-RPC rate limit, retry_after in data", a: rpcErr(errRateLimitIn),
			want: proxy.Outcome{Category: "rate_limit", Latency: lat, RetryAfter: 5 * time.Second}, wantB: true},
		{name: "JSON-RPC rate limit, wait in the message", a: rpcErr(`{"code":-32005,"message":"rate limit exceeded, retry in 2 minutes"}`),
			want: proxy.Outcome{Category: "rate_limit", Latency: lat, RetryAfter: 2 * time.Minute}, wantB: true},
		{name: "revert", a: rpcErr(errRevert), want: proxy.Outcome{Category: "execution_revert", Latency: lat, Neutral: true}},
		{name: "invalid params", a: rpcErr(errInvalid), want: proxy.Outcome{Category: "invalid_params", Latency: lat, Neutral: true}},
		{name: "bare -32000", a: rpcErr(errBare32000), want: proxy.Outcome{Category: "unclassified_server_error", Latency: lat, Neutral: true}},
		{name: "capability", a: rpcErr(errHeader), want: proxy.Outcome{Category: "block_not_available", Latency: lat, Neutral: true}, wantB: true},
		{name: "unknown code", a: rpcErr(errUnknownCode), want: proxy.Outcome{Category: "unknown_error", Latency: lat, Neutral: true}, wantB: true},
		{name: "internal error", a: rpcErr(errInternal), want: proxy.Outcome{Category: "internal_error", Latency: lat}, wantB: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			tr := newTransport(t, map[string][]step{"A": {after(clk, lat, tt.a)}, "B": {after(clk, lat, ok(`"0xb"`))}})
			h := newHealth(nil)
			c := call("eth_getBalance", `1`, `["0x0","latest"]`)
			_, _ = proxy.NewForwarder(fixedPlanner(providers("A", "B")), h, tr, proxy.Options{Now: clk.Now}).Serve(context.Background(), c)
			checkRecorded(t, tr, h)
			recs := h.Records()
			if len(recs) == 0 {
				t.Fatal("no Record")
			}
			if recs[0].Outcome != tt.want {
				t.Errorf("Record A = %+v, want %+v", recs[0].Outcome, tt.want)
			}
			if c.Meta.Upstream != lat {
				t.Errorf("Meta.Upstream = %v, want %v", c.Meta.Upstream, lat)
			}
			wantCalls := []string{"A"}
			if tt.wantB {
				wantCalls = append(wantCalls, "B")
			}
			if got := tr.Providers(); !slices.Equal(got, wantCalls) {
				t.Errorf("providers called = %v, want %v", got, wantCalls)
			}
		})
	}
}

// Outcomes of attempts that fail before or at their deadline, on the real
// clock: latency is positive, and a provider that took no connection counts
// as a network error (Lasso counts a refused connection too).
func TestForwarderRecordsFailuresWithoutAnswer(t *testing.T) {
	tests := []struct {
		name string
		a    step
		want func(t *testing.T, o proxy.Outcome)
	}{
		{"timeout after send", hang(), func(t *testing.T, o proxy.Outcome) {
			if o.Success || o.Neutral || o.Category != "timeout" || o.Latency <= 0 {
				t.Errorf("outcome = %+v, want a timeout with positive latency", o)
			}
		}},
		{"connect timeout", hangNotSent(), func(t *testing.T, o proxy.Outcome) {
			if o.Success || o.Category != "timeout" || o.Latency <= 0 {
				t.Errorf("outcome = %+v, want a timeout with positive latency", o)
			}
		}},
		{"not sent", notSent(), func(t *testing.T, o proxy.Outcome) {
			if o.Success || o.Neutral || o.Category != "network_error" {
				t.Errorf("outcome = %+v, want a network_error", o)
			}
		}},
		{"network error", netErr(), func(t *testing.T, o proxy.Outcome) {
			if o.Success || o.Neutral || o.Category != "network_error" || o.Latency <= 0 {
				t.Errorf("outcome = %+v, want a network_error with positive latency", o)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTransport(t, map[string][]step{"A": {tt.a}, "B": {ok(`"0xb"`)}})
			c := call("eth_blockNumber", `1`, `[]`)
			h := newHealth(nil)
			opts := proxy.Options{Timeout: fixedTimeout(100 * time.Millisecond)}
			resp, err := proxy.NewForwarder(fixedPlanner(providers("A", "B")), h, tr, opts).Serve(context.Background(), c)
			if err != nil || string(resp.Result) != `"0xb"` {
				t.Fatalf("Serve = %s, %v; want B's answer", encode(resp), err)
			}
			checkRecorded(t, tr, h)
			recs := h.Records()
			tt.want(t, recs[0].Outcome)
			if !recs[1].Outcome.Success || recs[1].Outcome.Latency <= 0 {
				t.Errorf("Record B = %+v, want a success with positive latency", recs[1].Outcome)
			}
		})
	}
}

// A refused admission skips the candidate: no dispatch, no Record, one retry.
func TestForwarderAdmission(t *testing.T) {
	tests := []struct {
		name          string
		answers       map[string]proxy.Admission
		script        map[string][]step
		plan          []string
		wantErr       error
		wantResult    string
		wantProviders []string
		wantAdmits    []string
		wantRetries   int
	}{
		{name: "first refused", answers: map[string]proxy.Admission{"A": proxy.Refused},
			script: map[string][]step{"B": {ok(`"0xb"`)}}, plan: []string{"A", "B"},
			wantResult: `"0xb"`, wantProviders: []string{"B"}, wantAdmits: []string{"A", "B"}, wantRetries: 1},
		{name: "trial admitted", answers: map[string]proxy.Admission{"A": proxy.Trial},
			script: map[string][]step{"A": {ok(`"0xa"`)}}, plan: []string{"A", "B"},
			wantResult: `"0xa"`, wantProviders: []string{"A"}, wantAdmits: []string{"A"}},
		{name: "two refused, third answers", answers: map[string]proxy.Admission{"A": proxy.Refused, "B": proxy.Refused},
			script: map[string][]step{"C": {ok(`"0xc"`)}}, plan: []string{"A", "B", "C"},
			wantResult: `"0xc"`, wantProviders: []string{"C"}, wantAdmits: []string{"A", "B", "C"}, wantRetries: 2},
		{name: "all refused", answers: map[string]proxy.Admission{"A": proxy.Refused, "B": proxy.Refused, "C": proxy.Refused},
			plan: []string{"A", "B", "C"}, wantErr: proxy.ErrNoChannels, wantAdmits: []string{"A", "B", "C"}, wantRetries: 2},
		{name: "refused channels do not use the dispatch budget",
			answers: map[string]proxy.Admission{"A": proxy.Refused, "C": proxy.Refused},
			script:  map[string][]step{"B": {reply(503, "")}, "D": {reply(503, "")}, "E": {ok(`"0xe"`)}},
			plan:    []string{"A", "B", "C", "D", "E"}, wantResult: `"0xe"`,
			wantProviders: []string{"B", "D", "E"}, wantAdmits: []string{"A", "B", "C", "D", "E"}, wantRetries: 4},
		{name: "sendRawTransaction: refused then sent once", answers: map[string]proxy.Admission{"A": proxy.Refused},
			script: map[string][]step{"B": {reply(503, "")}, "C": {ok(`"0xc"`)}}, plan: []string{"A", "B", "C"},
			wantErr: proxy.ErrIndeterminate, wantProviders: []string{"B"}, wantAdmits: []string{"A", "B"}, wantRetries: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTransport(t, tt.script)
			h := newHealth(tt.answers)
			m := "eth_blockNumber"
			if tt.name == "sendRawTransaction: refused then sent once" {
				m = "eth_sendRawTransaction"
			}
			c := call(m, `1`, `["0x1"]`)
			resp, err := proxy.NewForwarder(fixedPlanner(providers(tt.plan...)), h, tr, proxy.Options{}).Serve(context.Background(), c)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || resp != nil {
					t.Errorf("Serve = %s, %v; want %v", encode(resp), err, tt.wantErr)
				}
			} else if err != nil || string(resp.Result) != tt.wantResult {
				t.Errorf("Serve = %s, %v; want result %s", encode(resp), err, tt.wantResult)
			}
			if got := tr.Providers(); !slices.Equal(got, tt.wantProviders) {
				t.Errorf("providers called = %v, want %v", got, tt.wantProviders)
			}
			var admits []string
			for _, a := range h.Admits() {
				admits = append(admits, a.Provider)
			}
			if !slices.Equal(admits, tt.wantAdmits) {
				t.Errorf("Admit asked for %v, want %v", admits, tt.wantAdmits)
			}
			checkRecorded(t, tr, h)
			if c.Meta.Retries != tt.wantRetries {
				t.Errorf("Meta.Retries = %d, want %d", c.Meta.Retries, tt.wantRetries)
			}
			if c.Meta.Attempts != len(tt.wantProviders) {
				t.Errorf("Meta.Attempts = %d, want %d", c.Meta.Attempts, len(tt.wantProviders))
			}
		})
	}
}

// A plan longer than the candidate budget (16) is cut there.
func TestForwarderCandidateBudget(t *testing.T) {
	var ps []*profile.Provider
	answers := map[string]proxy.Admission{}
	for i := range 20 {
		id := fmt.Sprintf("p%02d", i)
		ps = append(ps, provider(id))
		answers[id] = proxy.Refused
	}
	h := newHealth(answers)
	tr := newTransport(t, nil)
	_, err := proxy.NewForwarder(fixedPlanner(ps), h, tr, proxy.Options{}).Serve(context.Background(), call("eth_blockNumber", `1`, `[]`))
	if !errors.Is(err, proxy.ErrNoChannels) {
		t.Errorf("error = %v, want ErrNoChannels", err)
	}
	if n := len(h.Admits()); n != 16 {
		t.Errorf("Admit asked %d times, want 16 (the candidate budget)", n)
	}
}

// Documented divergence from Lasso (reference 3.6 says "No channels
// available" when the list runs out right after a skipped candidate): the
// Forwarder answers with the last dispatched attempt's failure, and keeps
// ErrNoChannels for plans that dispatched nothing.
func TestForwarderSkipAfterFailureReturnsTheFailure(t *testing.T) {
	tr := newTransport(t, map[string][]step{"A": {reply(503, "")}})
	h := newHealth(map[string]proxy.Admission{"B": proxy.Refused})
	_, err := proxy.NewForwarder(fixedPlanner(providers("A", "B")), h, tr, proxy.Options{}).Serve(context.Background(), call("eth_blockNumber", `1`, `[]`))
	var se *proxy.StatusError
	if !errors.As(err, &se) || se.Status != 503 {
		t.Errorf("error = %v, want A's *StatusError 503", err)
	}
}

func TestForwarderAllOpenAndEmptyPlans(t *testing.T) {
	tests := []struct {
		name        string
		plan        proxy.Plan
		check       func(t *testing.T, err error)
		wantRetries int
	}{
		{name: "all open with a wait", plan: proxy.Plan{AllOpen: true, RetryIn: 42 * time.Second},
			check: func(t *testing.T, err error) {
				var ao *proxy.AllOpenError
				if !errors.As(err, &ao) || ao.RetryIn != 42*time.Second {
					t.Errorf("error = %v (%T), want *AllOpenError{42s}", err, err)
				}
				if err.Error() != "all circuit breakers are open" {
					t.Errorf("message = %q", err.Error())
				}
			}},
		{name: "all open, wait unknown", plan: proxy.Plan{AllOpen: true},
			check: func(t *testing.T, err error) {
				var ao *proxy.AllOpenError
				if !errors.As(err, &ao) || ao.RetryIn != 0 {
					t.Errorf("error = %v (%T), want *AllOpenError{0}", err, err)
				}
			}},
		{name: "empty", plan: proxy.Plan{}, check: isErr(proxy.ErrNoProviders)},
		{name: "empty with skipped channels", plan: proxy.Plan{Skipped: 2}, check: isErr(proxy.ErrNoProviders), wantRetries: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTransport(t, nil)
			h := newHealth(nil)
			c := call("eth_blockNumber", `1`, `[]`)
			resp, err := proxy.NewForwarder(planned(tt.plan), h, tr, proxy.Options{}).Serve(context.Background(), c)
			if resp != nil {
				t.Errorf("response = %s, want nil", encode(resp))
			}
			tt.check(t, err)
			if len(tr.Calls()) != 0 || len(h.Admits()) != 0 || len(h.Records()) != 0 {
				t.Errorf("transport calls %d, admits %d, records %d; want none", len(tr.Calls()), len(h.Admits()), len(h.Records()))
			}
			if c.Meta.Retries != tt.wantRetries {
				t.Errorf("Meta.Retries = %d, want %d", c.Meta.Retries, tt.wantRetries)
			}
		})
	}
}

// Two profiles' providers on one upstream (same InstanceID) are one channel:
// a request is never sent to it twice.
func TestForwarderSameInstanceDispatchedOnce(t *testing.T) {
	a, a2, b := provider("A"), provider("A2"), provider("B")
	a2.InstanceID = a.InstanceID
	cand := func(p *profile.Provider, transport string) proxy.Candidate {
		return proxy.Candidate{Provider: p, Transport: transport, Breaker: "closed"}
	}
	tests := []struct {
		name          string
		plan          []proxy.Candidate
		script        map[string][]step
		wantProviders []string
		wantAdmits    []string
		wantResult    string
		wantStatus    int
	}{
		{name: "failed instance not tried again under another id",
			plan:          []proxy.Candidate{cand(a, proxy.HTTP), cand(a2, proxy.HTTP), cand(b, proxy.HTTP)},
			script:        map[string][]step{"A": {reply(503, "")}, "A2": {ok(`"0xa2"`)}, "B": {ok(`"0xb"`)}},
			wantProviders: []string{"A", "B"}, wantAdmits: []string{"A", "B"}, wantResult: `"0xb"`},
		{name: "only duplicates left",
			plan:          []proxy.Candidate{cand(a, proxy.HTTP), cand(a2, proxy.HTTP)},
			script:        map[string][]step{"A": {reply(503, "")}, "A2": {ok(`"0xa2"`)}},
			wantProviders: []string{"A"}, wantAdmits: []string{"A"}, wantStatus: 503},
		{name: "not sent: the instance never saw it, so it may be tried again",
			plan:          []proxy.Candidate{cand(a, proxy.HTTP), cand(a2, proxy.HTTP), cand(b, proxy.HTTP)},
			script:        map[string][]step{"A": {notSent()}, "A2": {ok(`"0xa2"`)}},
			wantProviders: []string{"A", "A2"}, wantAdmits: []string{"A", "A2"}, wantResult: `"0xa2"`},
		{name: "the same instance on another transport is another channel",
			plan:          []proxy.Candidate{cand(a, proxy.HTTP), cand(a2, proxy.WS)},
			script:        map[string][]step{"A": {reply(503, "")}, "A2": {ok(`"0xa2"`)}},
			wantProviders: []string{"A", "A2"}, wantAdmits: []string{"A", "A2"}, wantResult: `"0xa2"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTransport(t, tt.script)
			h := newHealth(nil)
			resp, err := proxy.NewForwarder(planned{Candidates: tt.plan}, h, tr, proxy.Options{}).Serve(context.Background(), call("eth_blockNumber", `1`, `[]`))
			if tt.wantStatus != 0 {
				var se *proxy.StatusError
				if !errors.As(err, &se) || se.Status != tt.wantStatus {
					t.Errorf("Serve = %s, %v; want *StatusError %d", encode(resp), err, tt.wantStatus)
				}
			} else if err != nil || string(resp.Result) != tt.wantResult {
				t.Errorf("Serve = %s, %v; want %s", encode(resp), err, tt.wantResult)
			}
			if got := tr.Providers(); !slices.Equal(got, tt.wantProviders) {
				t.Errorf("providers called = %v, want %v", got, tt.wantProviders)
			}
			// A duplicate must not even be admitted: a half-open trial lease
			// taken for it would never be released by a Record.
			var admits []string
			for _, ad := range h.Admits() {
				admits = append(admits, ad.Provider)
			}
			if !slices.Equal(admits, tt.wantAdmits) {
				t.Errorf("Admit asked for %v, want %v", admits, tt.wantAdmits)
			}
			checkRecorded(t, tr, h)
		})
	}
}

// slowPlanner takes d on clk to plan.
type slowPlanner struct {
	clk  *clock
	d    time.Duration
	plan proxy.Plan
}

func (p slowPlanner) Plan(ctx context.Context, c *proxy.Call) proxy.Plan {
	p.clk.Advance(p.d)
	return planned(p.plan).Plan(ctx, c)
}

func TestForwarderMeta(t *testing.T) {
	clk := newClock()
	a, b := provider("A"), provider("B")
	plan := proxy.Plan{Skipped: 1, Candidates: []proxy.Candidate{
		{Provider: a, Transport: proxy.HTTP, Breaker: "closed"},
		{Provider: b, Transport: proxy.HTTP, Breaker: "half_open"},
	}}
	tr := newTransport(t, map[string][]step{"A": {after(clk, 5*time.Millisecond, reply(502, ""))}, "B": {after(clk, 30*time.Millisecond, ok(`"0xb"`))}})
	h := newHealth(map[string]proxy.Admission{"B": proxy.Trial})
	c := call("eth_blockNumber", `1`, `[]`)
	f := proxy.NewForwarder(slowPlanner{clk, 3 * time.Millisecond, plan}, h, tr, proxy.Options{Now: clk.Now})
	if _, err := f.Serve(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	m := c.Meta
	if m.Provider != "B" || m.Transport != proxy.HTTP || m.Breaker != "half_open" {
		t.Errorf("Meta provider/transport/breaker = %q %q %q, want B http half_open", m.Provider, m.Transport, m.Breaker)
	}
	if m.Attempts != 2 || m.Retries != 2 {
		t.Errorf("Meta attempts/retries = %d/%d, want 2/2 (one skipped by the plan, one failed)", m.Attempts, m.Retries)
	}
	if m.Selection != 3*time.Millisecond || m.Upstream != 30*time.Millisecond {
		t.Errorf("Meta selection/upstream = %v/%v, want 3ms/30ms", m.Selection, m.Upstream)
	}
	if len(m.Candidates) != 2 || m.Candidates[0].Provider != a || m.Candidates[1].Provider != b || m.Candidates[1].Breaker != "half_open" {
		t.Errorf("Meta.Candidates = %+v, want the plan", m.Candidates)
	}
	if m.Local {
		t.Error("Meta.Local = true, want false")
	}
	admits := h.Admits()
	if len(admits) != 2 || admits[1] != (admission{"B", proxy.HTTP, "half_open"}) {
		t.Errorf("Admits = %+v, want B's with its planned breaker state", admits)
	}
}

// Quota and capability answers to a call that must not be repeated were
// refused, not executed: the call stops there with the provider's own error
// object. A provider failure may have executed it: indeterminate.
func TestForwarderNonReplaySafeProviderErrors(t *testing.T) {
	tests := []struct {
		name     string
		a        step
		wantObj  string // the error object returned, "" when an error is expected
		wantErr  error
		wantRL   bool
		wantCode int
	}{
		{name: "rate limit", a: rpcErr(errRateLimit), wantObj: errRateLimit},
		{name: "rate limit with retry_after", a: rpcErr(errRateLimitIn), wantObj: errRateLimitIn},
		{name: "capability", a: rpcErr(errHeader), wantObj: errHeader},
		{name: "unknown code", a: rpcErr(errUnknownCode), wantObj: errUnknownCode},
		{name: "method not found", a: rpcErr(errMethodAbsent), wantObj: errMethodAbsent},
		{name: "deterministic", a: rpcErr(`{"code":-32000,"message":"nonce too low"}`), wantObj: `{"code":-32000,"message":"nonce too low"}`},
		{name: "HTTP 429", a: rateLimited(3 * time.Second), wantRL: true},
		{name: "HTTP 503 with a rate-limit body", a: reply(503, `{"error":{"code":-32005,"message":"too many requests"}}`), wantRL: true},
		{name: "internal error", a: rpcErr(errInternal), wantErr: proxy.ErrIndeterminate},
		{name: "auth error", a: rpcErr(`{"code":-32001,"message":"unauthorized"}`), wantErr: proxy.ErrIndeterminate},
	}
	for _, m := range []string{"eth_sendRawTransaction", "foo_bar", "eth_newFilter"} {
		for _, tt := range tests {
			t.Run(m+"/"+tt.name, func(t *testing.T) {
				tr := newTransport(t, map[string][]step{"A": {tt.a}, "B": {ok(`"0xb"`)}})
				c := call(m, `1`, `["0xf86c"]`)
				resp, err := serve(context.Background(), tr, []string{"A", "B"}, proxy.Options{}, c)
				switch {
				case tt.wantObj != "":
					if err != nil || encode(resp) != `{"jsonrpc":"2.0","id":1,"error":`+tt.wantObj+`}` {
						t.Errorf("Serve = %s, %v; want A's error object %s", encode(resp), err, tt.wantObj)
					}
				case tt.wantRL:
					var rl *proxy.RateLimitError
					if !errors.As(err, &rl) || errors.Is(err, proxy.ErrIndeterminate) {
						t.Errorf("Serve = %s, %v; want *RateLimitError, not indeterminate", encode(resp), err)
					}
				default:
					if !errors.Is(err, tt.wantErr) {
						t.Errorf("Serve = %s, %v; want %v", encode(resp), err, tt.wantErr)
					}
				}
				if got := tr.Providers(); !slices.Equal(got, []string{"A"}) {
					t.Errorf("providers called = %v, want [A]", got)
				}
			})
		}
	}
}

// An override asks for that provider's answer: its JSON-RPC error object
// comes back whatever the verdict.
func TestForwarderOverrideProviderErrors(t *testing.T) {
	for _, obj := range []string{errRateLimit, errHeader, errInternal, errRevert, errUnknownCode} {
		tr := newTransport(t, map[string][]step{"A": {rpcErr(obj)}, "B": {ok(`"0xb"`)}})
		ps := providers("A", "B")
		c := call("eth_blockNumber", `1`, `[]`)
		c.Override = ps[0]
		resp, err := proxy.NewForwarder(fixedPlanner(ps), admitted{}, tr, proxy.Options{}).Serve(context.Background(), c)
		if err != nil || encode(resp) != `{"jsonrpc":"2.0","id":1,"error":`+obj+`}` {
			t.Errorf("%s: Serve = %s, %v; want A's error object", obj, encode(resp), err)
		}
		if got := tr.Providers(); !slices.Equal(got, []string{"A"}) {
			t.Errorf("%s: providers called = %v, want [A]", obj, got)
		}
	}
}

// The error object comes back with its data exactly as the provider sent it.
func TestForwarderErrorObjectDataKeptRaw(t *testing.T) {
	const obj = `{"code":-32005,"message":"rate limit","data":{ "b" : [1, 2.50], "a":"\u00e9"}}`
	tr := newTransport(t, map[string][]step{"A": {rpcErr(obj)}})
	resp, err := serve(context.Background(), tr, []string{"A"}, proxy.Options{}, call("eth_blockNumber", `7`, `[]`))
	if err != nil || resp.Error == nil {
		t.Fatalf("Serve = %s, %v; want the error object", encode(resp), err)
	}
	raw, isRaw := resp.Error.Data.(json.RawMessage)
	if !isRaw || string(raw) != `{ "b" : [1, 2.50], "a":"\u00e9"}` {
		t.Errorf("data = %#v, want the raw bytes", resp.Error.Data)
	}
}

// The client going away is not the provider's fault: the attempt it cut
// short is recorded as neutral, and Record gets a context that still works
// (a store that honours cancellation would otherwise drop the outcome, and
// with it the release of a half-open trial lease).
func TestForwarderClientCancelRecords(t *testing.T) {
	serveCancelled := func(t *testing.T) record {
		t.Helper()
		ctx, cancel := context.WithCancelCause(context.Background())
		defer cancel(nil)
		tr := newTransport(t, map[string][]step{"A": {func(ctx context.Context, _ string) (proxy.Reply, error) {
			cancel(errors.New("client went away"))
			<-ctx.Done()
			return proxy.Reply{}, ctx.Err()
		}}})
		h := newHealth(nil)
		_, err := proxy.NewForwarder(fixedPlanner(providers("A", "B")), h, tr, proxy.Options{}).Serve(ctx, call("eth_blockNumber", `1`, `[]`))
		if !errors.Is(err, proxy.ErrCanceled) {
			t.Fatalf("error = %v, want ErrCanceled", err)
		}
		recs := h.Records()
		if len(recs) != 1 {
			t.Fatalf("Records = %+v, want 1", recs)
		}
		return recs[0]
	}
	t.Run("live context", func(t *testing.T) {
		if rec := serveCancelled(t); rec.CtxErr != nil {
			t.Errorf("Record's context error = %v, want a live context", rec.CtxErr)
		}
	})
	t.Run("neutral", func(t *testing.T) {
		if rec := serveCancelled(t); !rec.Outcome.Neutral {
			t.Errorf("outcome = %+v, want neutral", rec.Outcome)
		}
	})
}

// The outcome of the attempt that ran into the call's deadline is still
// recorded with a live context.
func TestForwarderTimeoutRecordsWithLiveContext(t *testing.T) {
	tr := newTransport(t, map[string][]step{"A": {hang()}})
	h := newHealth(nil)
	opts := proxy.Options{Timeout: fixedTimeout(50 * time.Millisecond)}
	_, err := proxy.NewForwarder(fixedPlanner(providers("A")), h, tr, opts).Serve(context.Background(), call("eth_blockNumber", `1`, `[]`))
	if !errors.Is(err, proxy.ErrTimeout) {
		t.Fatalf("error = %v, want ErrTimeout", err)
	}
	if recs := h.Records(); len(recs) != 1 || recs[0].CtxErr != nil {
		t.Errorf("Records = %+v, want one, with a live context", recs)
	}
}
