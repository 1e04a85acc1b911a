package proxy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/jsonrpc"
	"github.com/lasso-serverless/lasso/shared/proxy"
)

// serve runs one call through a Forwarder over plan with transport tr and a
// recording Health, and checks that Health was told of every attempt, once.
func serve(ctx context.Context, tr *fakeTransport, plan []string, opts proxy.Options, c *proxy.Call) (*jsonrpc.Response, error) {
	h := newHealth(nil)
	f := proxy.NewForwarder(fixedPlanner(providers(plan...)), h, tr, opts)
	resp, err := f.Serve(ctx, c)
	checkRecorded(tr.t, tr, h)
	return resp, err
}

// checkRecorded asserts that Health.Record was called exactly once per
// transport call, in the same order.
func checkRecorded(t testing.TB, tr *fakeTransport, h *fakeHealth) {
	t.Helper()
	if got, want := h.RecordedProviders(), tr.Providers(); !slices.Equal(got, want) {
		t.Errorf("Health.Record providers = %v, want one per transport call %v", got, want)
	}
}

func TestForwarderSuccessFromFirstProvider(t *testing.T) {
	tests := []struct {
		name     string
		clientID string // raw JSON
		params   string
		upstream string // body template, $ID = private id
		want     string // what the client gets
	}{
		{name: "numeric id", clientID: `1`, params: `[]`,
			upstream: `{"jsonrpc":"2.0","id":"$ID","result":"0x10"}`,
			want:     `{"jsonrpc":"2.0","id":1,"result":"0x10"}`},
		{name: "string id", clientID: `"abc"`, params: `[]`,
			upstream: `{"jsonrpc":"2.0","id":"$ID","result":"0x10"}`,
			want:     `{"jsonrpc":"2.0","id":"abc","result":"0x10"}`},
		{name: "null id", clientID: `null`, params: `[]`,
			upstream: `{"jsonrpc":"2.0","id":"$ID","result":"0x10"}`,
			want:     `{"jsonrpc":"2.0","id":null,"result":"0x10"}`},
		{name: "client id that looks like a private id", clientID: `"lasso-1"`, params: `[]`,
			upstream: `{"jsonrpc":"2.0","id":"$ID","result":true}`,
			want:     `{"jsonrpc":"2.0","id":"lasso-1","result":true}`},
		{name: "upstream bytes kept: key order, spacing, nested result", clientID: `42`, params: `["0xabc", "latest"]`,
			upstream: `{ "result" : {"b":[1, 2],"a":"x"} ,"id": "$ID" , "jsonrpc":"2.0"}`,
			want:     `{ "result" : {"b":[1, 2],"a":"x"} ,"id": 42 , "jsonrpc":"2.0"}`},
		{name: "extra upstream members kept", clientID: `-3`, params: `[]`,
			upstream: `{"jsonrpc":"2.0","id":"$ID","result":null,"x-trace":"t"}`,
			want:     `{"jsonrpc":"2.0","id":-3,"result":null,"x-trace":"t"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTransport(t, map[string][]step{"A": {reply(200, tt.upstream)}, "B": {ok(`"0xb"`)}})
			c := call("eth_getBalance", tt.clientID, tt.params)
			resp, err := serve(context.Background(), tr, []string{"A", "B"}, proxy.Options{}, c)
			if err != nil {
				t.Fatalf("Serve error = %v, want nil", err)
			}
			if got := encode(resp); got != tt.want {
				t.Errorf("response = %s, want %s", got, tt.want)
			}
			calls := tr.Calls()
			if len(calls) != 1 || calls[0].Provider != "A" {
				t.Fatalf("providers called = %v, want [A]", tr.Providers())
			}
			up := calls[0]
			if !strings.HasPrefix(up.ID, "lasso-") {
				t.Errorf("upstream id = %q, want prefix lasso-", up.ID)
			}
			if strings.Contains(string(up.Body), `"id":`+tt.clientID+`,`) && tt.clientID != `"lasso-1"` {
				t.Errorf("upstream body %s carries the client id %s", up.Body, tt.clientID)
			}
			if up.Method != "eth_getBalance" || string(up.Params) != tt.params {
				t.Errorf("upstream method/params = %s %s, want eth_getBalance %s", up.Method, up.Params, tt.params)
			}
			wantMeta := core{Provider: "A", Attempts: 1, Retries: 0}
			if got := metaCore(c.Meta); got != wantMeta {
				t.Errorf("Meta = %+v, want %+v", got, wantMeta)
			}
		})
	}
}

// core is the part of Meta a test can state exactly.
type core struct {
	Provider string
	Attempts int
	Retries  int
}

// metaCore drops the measured durations and the plan.
func metaCore(m proxy.Meta) core {
	return core{Provider: m.Provider, Attempts: m.Attempts, Retries: m.Retries}
}

func TestForwarderPrivateIDsAreUnique(t *testing.T) {
	tr := newTransport(t, map[string][]step{"A": {reply(503, "busy")}, "B": {ok(`"0x1"`)}})
	f := proxy.NewForwarder(fixedPlanner(providers("A", "B")), admitted{}, tr, proxy.Options{})
	var wg sync.WaitGroup
	const n = 64
	for i := range n {
		wg.Go(func() {
			c := call("eth_blockNumber", fmt.Sprint(i), `[]`)
			if _, err := f.Serve(context.Background(), c); err != nil {
				t.Errorf("Serve #%d error = %v, want nil", i, err)
			}
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, c := range tr.Calls() {
		if !strings.HasPrefix(c.ID, "lasso-") {
			t.Errorf("upstream id %q, want prefix lasso-", c.ID)
		}
		if seen[c.ID] {
			t.Errorf("upstream id %q used twice", c.ID)
		}
		seen[c.ID] = true
	}
	if got, want := len(seen), 2*n; got != want {
		t.Errorf("distinct upstream ids = %d, want %d", got, want)
	}
}

// A failed provider is followed by the next one in the plan, which answers.
func TestForwarderFailsOver(t *testing.T) {
	tests := []struct {
		name         string
		method       string
		a            step
		wantAttempts int
	}{
		{name: "HTTP 503", method: "eth_blockNumber", a: reply(503, "Service Unavailable"), wantAttempts: 2},
		{name: "HTTP 500 with JSON-RPC error", method: "eth_blockNumber",
			a: reply(500, `{"jsonrpc":"2.0","id":"$ID","error":{"code":-32000,"message":"internal"}}`), wantAttempts: 2},
		{name: "HTTP 502 empty body", method: "eth_getLogs", a: reply(502, ""), wantAttempts: 2},
		{name: "HTTP 302", method: "eth_blockNumber", a: reply(302, ""), wantAttempts: 2},
		{name: "HTTP 408 with JSON-RPC error", method: "eth_blockNumber",
			a: reply(408, `{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"timeout"}}`), wantAttempts: 2},
		{name: "HTTP 403 with HTML body", method: "eth_blockNumber", a: reply(403, "<html><body>Forbidden</body></html>"), wantAttempts: 2},
		{name: "HTTP 404 with JSON but no error object", method: "eth_blockNumber", a: reply(404, `{"message":"not found"}`), wantAttempts: 2},
		{name: "HTTP 429", method: "eth_blockNumber", a: rateLimited(time.Second), wantAttempts: 2},
		{name: "network error after send", method: "eth_blockNumber", a: netErr(), wantAttempts: 2},
		{name: "not sent", method: "eth_blockNumber", a: notSent(), wantAttempts: 1},
		{name: "not sent, eth_sendRawTransaction", method: "eth_sendRawTransaction", a: notSent(), wantAttempts: 1},
		{name: "not sent, unknown method", method: "foo_bar", a: notSent(), wantAttempts: 1},
		{name: "not sent, eth_newFilter", method: "eth_newFilter", a: notSent(), wantAttempts: 1},
		{name: "invalid: wrong id", method: "eth_blockNumber",
			a: reply(200, `{"jsonrpc":"2.0","id":"other","result":"0x1"}`), wantAttempts: 2},
		{name: "invalid: client id echoed as a number", method: "eth_blockNumber",
			a: reply(200, `{"jsonrpc":"2.0","id":7,"result":"0x1"}`), wantAttempts: 2},
		{name: "invalid: array body", method: "eth_blockNumber",
			a: reply(200, `[{"jsonrpc":"2.0","id":"$ID","result":"0x1"}]`), wantAttempts: 2},
		{name: "invalid: missing jsonrpc", method: "eth_blockNumber",
			a: reply(200, `{"id":"$ID","result":"0x1"}`), wantAttempts: 2},
		{name: "invalid: jsonrpc 1.0", method: "eth_blockNumber",
			a: reply(200, `{"jsonrpc":"1.0","id":"$ID","result":"0x1"}`), wantAttempts: 2},
		{name: "invalid: both result and error", method: "eth_blockNumber",
			a: reply(200, `{"jsonrpc":"2.0","id":"$ID","result":"0x1","error":{"code":1,"message":"x"}}`), wantAttempts: 2},
		{name: "invalid: neither result nor error", method: "eth_blockNumber",
			a: reply(200, `{"jsonrpc":"2.0","id":"$ID"}`), wantAttempts: 2},
		{name: "invalid: not JSON", method: "eth_blockNumber", a: reply(200, "<html>bad gateway</html>"), wantAttempts: 2},
		{name: "invalid: empty body", method: "eth_blockNumber", a: reply(200, ""), wantAttempts: 2},
		{name: "invalid: error object without code", method: "eth_blockNumber",
			a: reply(200, `{"jsonrpc":"2.0","id":"$ID","error":{"message":"x"}}`), wantAttempts: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTransport(t, map[string][]step{"A": {tt.a}, "B": {ok(`"0xb"`)}, "C": {ok(`"0xc"`)}})
			c := call(tt.method, `1`, `[]`)
			resp, err := serve(context.Background(), tr, []string{"A", "B", "C"}, proxy.Options{}, c)
			if err != nil {
				t.Fatalf("Serve error = %v, want B's answer", err)
			}
			if got, want := encode(resp), `{"jsonrpc":"2.0","id":1,"result":"0xb"}`; got != want {
				t.Errorf("response = %s, want %s", got, want)
			}
			if got, want := tr.Providers(), []string{"A", "B"}; !slices.Equal(got, want) {
				t.Errorf("providers called = %v, want %v", got, want)
			}
			wantMeta := core{Provider: "B", Attempts: tt.wantAttempts, Retries: 1}
			if got := metaCore(c.Meta); got != wantMeta {
				t.Errorf("Meta = %+v, want %+v", got, wantMeta)
			}
			calls := tr.Calls()
			if calls[0].ID == calls[1].ID {
				t.Errorf("both attempts used upstream id %q, want a fresh id per attempt", calls[0].ID)
			}
		})
	}
}

// A JSON-RPC error whose category is deterministic (the request's own fault)
// is the answer: it goes back to the client unchanged and no other provider
// is asked.
func TestForwarderReturnsProviderErrors(t *testing.T) {
	const revert = `"0x08c379a00000000000000000000000000000000000000000000000000000000000000020000000000000000000000000000000000000000000000000000000000000000a6e6f7420656e6f75676800000000000000000000000000000000000000000000"`
	tests := []struct {
		name     string
		a        step
		wantCode int
		wantMsg  string
		wantData string // raw JSON, "" for none
		want     string // encoded response
	}{
		{name: "200 execution reverted with data",
			a:        reply(200, `{"jsonrpc":"2.0","id":"$ID","error":{"code":3,"message":"execution reverted","data":`+revert+`}}`),
			wantCode: 3, wantMsg: "execution reverted", wantData: revert,
			want: `{"jsonrpc":"2.0","id":9,"error":{"code":3,"message":"execution reverted","data":` + revert + `}}`},
		{name: "200 revert data under another code",
			a:        reply(200, `{"jsonrpc":"2.0","id":"$ID","error":{"code":-32000,"message":"call failed","data":`+revert+`}}`),
			wantCode: -32000, wantMsg: "call failed", wantData: revert,
			want: `{"jsonrpc":"2.0","id":9,"error":{"code":-32000,"message":"call failed","data":` + revert + `}}`},
		{name: "200 error without data",
			a:        reply(200, `{"jsonrpc":"2.0","id":"$ID","error":{"code":-32602,"message":"invalid argument 0"}}`),
			wantCode: -32602, wantMsg: "invalid argument 0",
			want: `{"jsonrpc":"2.0","id":9,"error":{"code":-32602,"message":"invalid argument 0"}}`},
		{name: "200 error with object data",
			a:        reply(200, `{"jsonrpc":"2.0","id":"$ID","error":{"code":-32000,"message":"nonce too low","data":{"block":"0x1","n":[1,2]}}}`),
			wantCode: -32000, wantMsg: "nonce too low", wantData: `{"block":"0x1","n":[1,2]}`,
			want: `{"jsonrpc":"2.0","id":9,"error":{"code":-32000,"message":"nonce too low","data":{"block":"0x1","n":[1,2]}}}`},
		{name: "200 bare -32000 with a message nobody knows",
			a:        reply(200, `{"jsonrpc":"2.0","id":"$ID","error":{"code":-32000,"message":"something odd happened"}}`),
			wantCode: -32000, wantMsg: "something odd happened",
			want: `{"jsonrpc":"2.0","id":9,"error":{"code":-32000,"message":"something odd happened"}}`},
		{name: "200 parse error",
			a:        reply(200, `{"jsonrpc":"2.0","id":"$ID","error":{"code":-32700,"message":"parse error"}}`),
			wantCode: -32700, wantMsg: "parse error",
			want: `{"jsonrpc":"2.0","id":9,"error":{"code":-32700,"message":"parse error"}}`},
		{name: "400 with JSON-RPC error and the gateway's own id",
			a:        reply(400, `{"jsonrpc":"2.0","id":null,"error":{"code":-32602,"message":"invalid params"}}`),
			wantCode: -32602, wantMsg: "invalid params",
			want: `{"jsonrpc":"2.0","id":9,"error":{"code":-32602,"message":"invalid params"}}`},
		{name: "400 with bare -32602",
			a:        reply(400, `{"error":{"code":-32602,"message":"bad","data":"key"}}`),
			wantCode: -32602, wantMsg: "bad", wantData: `"key"`,
			want: `{"jsonrpc":"2.0","id":9,"error":{"code":-32602,"message":"bad","data":"key"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTransport(t, map[string][]step{"A": {tt.a}, "B": {ok(`"0xb"`)}})
			c := call("eth_call", `9`, `[{"to":"0x0"},"latest"]`)
			resp, err := serve(context.Background(), tr, []string{"A", "B"}, proxy.Options{}, c)
			if err != nil {
				t.Fatalf("Serve error = %v, want the provider's error as a response", err)
			}
			if resp.Error == nil {
				t.Fatalf("response = %s, want an error response", encode(resp))
			}
			if resp.Error.Code != tt.wantCode || resp.Error.Message != tt.wantMsg {
				t.Errorf("error = %d %q, want %d %q", resp.Error.Code, resp.Error.Message, tt.wantCode, tt.wantMsg)
			}
			gotData := ""
			if resp.Error.Data != nil {
				raw, isRaw := resp.Error.Data.(json.RawMessage)
				if !isRaw {
					t.Errorf("error data is %T, want json.RawMessage (kept raw)", resp.Error.Data)
				}
				gotData = string(raw)
			}
			if gotData != tt.wantData {
				t.Errorf("error data = %s, want %s", gotData, tt.wantData)
			}
			if got := encode(resp); got != tt.want {
				t.Errorf("response = %s, want %s", got, tt.want)
			}
			if n := tr.Count("B"); n != 0 {
				t.Errorf("B called %d times, want 0", n)
			}
			wantMeta := core{Provider: "A", Attempts: 1}
			if got := metaCore(c.Meta); got != wantMeta {
				t.Errorf("Meta = %+v, want %+v", got, wantMeta)
			}
		})
	}
}

// When every provider fails, the last failure is the result.
func TestForwarderAllProvidersFail(t *testing.T) {
	tests := []struct {
		name   string
		a, b   step
		check  func(t *testing.T, err error)
		wantTo int // upstream sends
	}{
		{name: "all invalid", a: reply(200, `[]`), b: reply(200, `{"jsonrpc":"2.0","id":"nope","result":1}`),
			check: isErr(jsonrpc.ErrInvalidUpstream)},
		{name: "all HTML 4xx", a: reply(403, "<html>no</html>"), b: reply(403, "<html>no</html>"),
			check: func(t *testing.T, err error) {
				var se *proxy.StatusError
				if !errors.As(err, &se) {
					t.Fatalf("error = %v (%T), want *proxy.StatusError", err, err)
				}
				if se.Status != 403 || se.RPC != nil {
					t.Errorf("StatusError = {%d, %v}, want {403, nil}", se.Status, se.RPC)
				}
			}},
		{name: "last status wins", a: reply(502, "bad gateway"), b: reply(503, `{"error":{"code":-32001,"message":"capacity"}}`),
			check: func(t *testing.T, err error) {
				var se *proxy.StatusError
				if !errors.As(err, &se) {
					t.Fatalf("error = %v (%T), want *proxy.StatusError", err, err)
				}
				if se.Status != 503 || se.RPC == nil || se.RPC.Code != -32001 || se.RPC.Message != "capacity" {
					t.Errorf("StatusError = {%d, %+v}, want {503, -32001 capacity}", se.Status, se.RPC)
				}
			}},
		{name: "5xx with a rate-limit body is a rate limit", a: reply(502, "bad gateway"),
			b: reply(503, `{"error":{"code":-32005,"message":"capacity","data":{"retry_after":4}}}`),
			check: func(t *testing.T, err error) {
				var rl *proxy.RateLimitError
				if !errors.As(err, &rl) {
					t.Fatalf("error = %v (%T), want *proxy.RateLimitError", err, err)
				}
				if rl.RetryAfter != 4*time.Second {
					t.Errorf("RetryAfter = %v, want 4s (from the body's data)", rl.RetryAfter)
				}
			}},
		{name: "all rate limited", a: rateLimited(time.Second), b: rateLimited(2500 * time.Millisecond),
			check: func(t *testing.T, err error) {
				var rl *proxy.RateLimitError
				if !errors.As(err, &rl) || !errors.Is(err, proxy.ErrRateLimited) {
					t.Fatalf("error = %v (%T), want *proxy.RateLimitError wrapping ErrRateLimited", err, err)
				}
				if rl.RetryAfter != 2500*time.Millisecond {
					t.Errorf("RetryAfter = %v, want 2.5s (the last provider's)", rl.RetryAfter)
				}
			}},
		{name: "all network errors", a: netErr(), b: netErr(),
			check: func(t *testing.T, err error) {
				if !errors.Is(err, proxy.ErrNetwork) || !errors.Is(err, errConnReset) {
					t.Errorf("error = %v, want ErrNetwork wrapping the transport error", err)
				}
			}},
		{name: "all not sent", a: notSent(), b: notSent(), check: isErr(proxy.ErrNotSent)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTransport(t, map[string][]step{"A": {tt.a}, "B": {tt.b}})
			c := call("eth_blockNumber", `1`, `[]`)
			resp, err := serve(context.Background(), tr, []string{"A", "B"}, proxy.Options{}, c)
			if err == nil {
				t.Fatalf("Serve = %s, nil; want an error", encode(resp))
			}
			if resp != nil {
				t.Errorf("Serve response = %s, want nil with the error", encode(resp))
			}
			tt.check(t, err)
			if got, want := tr.Providers(), []string{"A", "B"}; !slices.Equal(got, want) {
				t.Errorf("providers called = %v, want %v", got, want)
			}
			if c.Meta.Provider != "B" || c.Meta.Retries != 1 {
				t.Errorf("Meta = %+v, want Provider B (the last tried), Retries 1", c.Meta)
			}
		})
	}
}

func isErr(target error) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		if !errors.Is(err, target) {
			t.Errorf("error = %v, want errors.Is %v", err, target)
		}
	}
}

func TestForwarderRateLimit(t *testing.T) {
	tests := []struct {
		name          string
		method        string
		plan          []string
		wantProviders []string
		wantAfter     time.Duration
		wantOK        bool
	}{
		{name: "only provider", method: "eth_blockNumber", plan: []string{"A"},
			wantProviders: []string{"A"}, wantAfter: 1500 * time.Millisecond},
		{name: "replay-safe fails over", method: "eth_blockNumber", plan: []string{"A", "B"},
			wantProviders: []string{"A", "B"}, wantOK: true},
		{name: "sendRawTransaction is refused, not failed over", method: "eth_sendRawTransaction", plan: []string{"A", "B"},
			wantProviders: []string{"A"}, wantAfter: 1500 * time.Millisecond},
		{name: "unknown method is refused, not failed over", method: "foo_bar", plan: []string{"A", "B"},
			wantProviders: []string{"A"}, wantAfter: 1500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTransport(t, map[string][]step{"A": {rateLimited(1500 * time.Millisecond)}, "B": {ok(`"0xb"`)}})
			resp, err := serve(context.Background(), tr, tt.plan, proxy.Options{}, call(tt.method, `1`, `[]`))
			if got := tr.Providers(); !slices.Equal(got, tt.wantProviders) {
				t.Errorf("providers called = %v, want %v", got, tt.wantProviders)
			}
			if tt.wantOK {
				if err != nil || resp == nil || string(resp.Result) != `"0xb"` {
					t.Errorf("Serve = %s, %v; want B's result", encode(resp), err)
				}
				return
			}
			var rl *proxy.RateLimitError
			if !errors.As(err, &rl) {
				t.Fatalf("error = %v (%T), want *proxy.RateLimitError", err, err)
			}
			if !errors.Is(err, proxy.ErrRateLimited) {
				t.Errorf("errors.Is(%v, ErrRateLimited) = false, want true", err)
			}
			if errors.Is(err, proxy.ErrIndeterminate) {
				t.Errorf("errors.Is(%v, ErrIndeterminate) = true, want false: a 429 was not executed", err)
			}
			if rl.RetryAfter != tt.wantAfter {
				t.Errorf("RetryAfter = %v, want %v", rl.RetryAfter, tt.wantAfter)
			}
		})
	}
}

// Calls that must not be repeated go to one provider at most: once a request
// may have left, any failure is indeterminate.
func TestForwarderNonReplaySafeIsIndeterminate(t *testing.T) {
	methods := []string{"eth_sendRawTransaction", "foo_bar", "eth_newFilter", "eth_getFilterChanges", "personal_sendTransaction"}
	failures := []struct {
		name string
		a    step
	}{
		{"HTTP 503", reply(503, "unavailable")},
		{"HTTP 500 with JSON-RPC error", reply(500, `{"jsonrpc":"2.0","id":"$ID","error":{"code":-32000,"message":"x"}}`)},
		{"HTTP 403 HTML", reply(403, "<html>no</html>")},
		{"HTTP 408", reply(408, "")},
		{"invalid response", reply(200, `{"jsonrpc":"2.0","id":"wrong","result":"0x1"}`)},
		{"network error", netErr()},
		{"timeout", hang()},
	}
	for _, m := range methods {
		for _, fl := range failures {
			t.Run(m+"/"+fl.name, func(t *testing.T) {
				tr := newTransport(t, map[string][]step{"A": {fl.a}, "B": {ok(`"0xb"`)}, "C": {ok(`"0xc"`)}})
				opts := proxy.Options{Timeout: fixedTimeout(60 * time.Millisecond)}
				c := call(m, `1`, `["0xf86c"]`)
				resp, err := serve(context.Background(), tr, []string{"A", "B", "C"}, opts, c)
				if !errors.Is(err, proxy.ErrIndeterminate) {
					t.Errorf("Serve = %s, %v; want ErrIndeterminate", encode(resp), err)
				}
				if got, want := tr.Providers(), []string{"A"}; !slices.Equal(got, want) {
					t.Errorf("providers called = %v, want %v", got, want)
				}
				if c.Meta.Attempts != 1 || c.Meta.Provider != "A" {
					t.Errorf("Meta = %+v, want Provider A, Attempts 1", c.Meta)
				}
			})
		}
	}
}

// Whatever each provider does, a call that is not replay-safe reaches at
// most one provider.
func TestForwarderNonReplaySafeReachesAtMostOneProvider(t *testing.T) {
	kinds := []struct {
		name string
		s    step
	}{
		{"ok", ok(`"0x1"`)},
		{"rpc error", reply(200, `{"jsonrpc":"2.0","id":"$ID","error":{"code":-32000,"message":"nonce too low"}}`)},
		{"400 rpc error", reply(400, `{"error":{"code":-32602,"message":"bad"}}`)},
		{"503", reply(503, "")},
		{"403 html", reply(403, "<html/>")},
		{"429", rateLimited(0)},
		{"invalid", reply(200, "[]")},
		{"network", netErr()},
		{"not sent", notSent()},
		{"hang", hang()},
		{"hang not sent", hangNotSent()},
		{"rpc rate limit", rpcErr(errRateLimit)},
		{"rpc capability", rpcErr(errHeader)},
		{"rpc unknown code", rpcErr(errUnknownCode)},
		{"rpc internal error", rpcErr(errInternal)},
		{"rpc method not found", rpcErr(errMethodAbsent)},
		{"503 rate-limit body", reply(503, `{"error":{"code":-32005,"message":"rate limit"}}`)},
		{"401 auth", reply(401, `{"error":{"code":-32001,"message":"unauthorized"}}`)},
	}
	for _, m := range []string{"eth_sendRawTransaction", "foo_bar", "eth_newFilter"} {
		for _, a := range kinds {
			for _, b := range kinds {
				t.Run(m+"/"+a.name+"/"+b.name, func(t *testing.T) {
					t.Parallel()
					tr := newTransport(t, map[string][]step{"A": {a.s}, "B": {b.s}, "C": {notSent()}, "D": {ok(`"0xd"`)}})
					opts := proxy.Options{Timeout: fixedTimeout(40 * time.Millisecond)}
					c := call(m, `1`, `["0xf86c"]`)
					_, _ = serve(context.Background(), tr, []string{"A", "B", "C", "D"}, opts, c)
					if got := tr.Received(); len(got) > 1 {
						t.Errorf("request may have reached %v (calls %v), want at most one provider", got, tr.Providers())
					}
					if c.Meta.Attempts > 1 {
						t.Errorf("Meta.Attempts = %d, want at most 1", c.Meta.Attempts)
					}
				})
			}
		}
	}
}

func TestForwarderMaxDispatches(t *testing.T) {
	fail := reply(503, "unavailable")
	tests := []struct {
		name          string
		max           int
		script        map[string][]step
		plan          []string
		wantProviders []string
		wantAttempts  int
	}{
		{name: "default 3 of 5", plan: []string{"A", "B", "C", "D", "E"},
			script:        map[string][]step{"A": {fail}, "B": {fail}, "C": {fail}, "D": {fail}, "E": {fail}},
			wantProviders: []string{"A", "B", "C"}, wantAttempts: 3},
		{name: "explicit 2 of 5", max: 2, plan: []string{"A", "B", "C", "D", "E"},
			script:        map[string][]step{"A": {fail}, "B": {fail}, "C": {fail}, "D": {fail}, "E": {fail}},
			wantProviders: []string{"A", "B"}, wantAttempts: 2},
		{name: "explicit 1", max: 1, plan: []string{"A", "B"},
			script:        map[string][]step{"A": {fail}, "B": {fail}},
			wantProviders: []string{"A"}, wantAttempts: 1},
		{name: "negative means default", max: -1, plan: []string{"A", "B", "C", "D"},
			script:        map[string][]step{"A": {fail}, "B": {fail}, "C": {fail}, "D": {fail}},
			wantProviders: []string{"A", "B", "C"}, wantAttempts: 3},
		{name: "not-sent failures do not count", plan: []string{"A", "B", "C", "D", "E", "F"},
			script: map[string][]step{"A": {notSent()}, "B": {notSent()}, "C": {fail}, "D": {fail}, "E": {fail},
				"F": {fail}},
			wantProviders: []string{"A", "B", "C", "D", "E"}, wantAttempts: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTransport(t, tt.script)
			c := call("eth_getBalance", `1`, `[]`)
			_, err := serve(context.Background(), tr, tt.plan, proxy.Options{MaxDispatches: tt.max}, c)
			var se *proxy.StatusError
			if !errors.As(err, &se) || se.Status != 503 {
				t.Errorf("error = %v, want *StatusError 503", err)
			}
			if got := tr.Providers(); !slices.Equal(got, tt.wantProviders) {
				t.Errorf("providers called = %v, want %v", got, tt.wantProviders)
			}
			if c.Meta.Attempts != tt.wantAttempts {
				t.Errorf("Meta.Attempts = %d, want %d", c.Meta.Attempts, tt.wantAttempts)
			}
		})
	}
}

// A provider override asks for that provider's answer: no failover.
func TestForwarderOverride(t *testing.T) {
	tests := []struct {
		name   string
		method string
		a      step
		check  func(*testing.T, *jsonrpc.Response, error)
	}{
		{name: "success", method: "eth_blockNumber", a: ok(`"0xa"`),
			check: func(t *testing.T, r *jsonrpc.Response, err error) {
				if err != nil || encode(r) != `{"jsonrpc":"2.0","id":1,"result":"0xa"}` {
					t.Errorf("Serve = %s, %v; want A's result", encode(r), err)
				}
			}},
		{name: "503", method: "eth_blockNumber", a: reply(503, ""),
			check: func(t *testing.T, _ *jsonrpc.Response, err error) {
				var se *proxy.StatusError
				if !errors.As(err, &se) || se.Status != 503 {
					t.Errorf("error = %v, want *StatusError 503", err)
				}
			}},
		{name: "not sent", method: "eth_blockNumber", a: notSent(),
			check: func(t *testing.T, _ *jsonrpc.Response, err error) { isErr(proxy.ErrNotSent)(t, err) }},
		{name: "not sent, sendRawTransaction", method: "eth_sendRawTransaction", a: notSent(),
			check: func(t *testing.T, _ *jsonrpc.Response, err error) { isErr(proxy.ErrNotSent)(t, err) }},
		{name: "network error", method: "eth_blockNumber", a: netErr(),
			check: func(t *testing.T, _ *jsonrpc.Response, err error) { isErr(proxy.ErrNetwork)(t, err) }},
		{name: "429", method: "eth_blockNumber", a: rateLimited(time.Second),
			check: func(t *testing.T, _ *jsonrpc.Response, err error) { isErr(proxy.ErrRateLimited)(t, err) }},
		{name: "invalid", method: "eth_blockNumber", a: reply(200, "{}"),
			check: func(t *testing.T, _ *jsonrpc.Response, err error) { isErr(jsonrpc.ErrInvalidUpstream)(t, err) }},
		{name: "sendRawTransaction 503", method: "eth_sendRawTransaction", a: reply(503, ""),
			check: func(t *testing.T, _ *jsonrpc.Response, err error) {
				var se *proxy.StatusError
				if !errors.As(err, &se) || se.Status != 503 {
					t.Errorf("error = %v, want the provider's *StatusError 503", err)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTransport(t, map[string][]step{"A": {tt.a}, "B": {ok(`"0xb"`)}, "C": {ok(`"0xc"`)}})
			ps := providers("A", "B", "C")
			c := call(tt.method, `1`, `[]`)
			c.Override = ps[0]
			// The planner ignores the override on purpose: the Forwarder
			// itself must not fail over.
			f := proxy.NewForwarder(fixedPlanner(ps), admitted{}, tr, proxy.Options{})
			resp, err := f.Serve(context.Background(), c)
			tt.check(t, resp, err)
			if got, want := tr.Providers(), []string{"A"}; !slices.Equal(got, want) {
				t.Errorf("providers called = %v, want %v", got, want)
			}
		})
	}
}

// The first attempt of a replay-safe call gets 60% of the method's timeout,
// so a hang leaves time for a second provider; the second gets the rest.
func TestForwarderAttemptDeadlines(t *testing.T) {
	const tol = 150 * time.Millisecond // scheduling slack; only relative deadlines are asserted
	tests := []struct {
		name    string
		method  string
		plan    []string
		script  map[string][]step
		timeout time.Duration
		want    []time.Duration // each attempt's deadline, from the start of Serve
	}{
		{name: "replay-safe: 60% then the rest", method: "eth_blockNumber", plan: []string{"A", "B"},
			script:  map[string][]step{"A": {reply(503, "")}, "B": {ok(`"0x1"`)}},
			timeout: time.Second, want: []time.Duration{600 * time.Millisecond, time.Second}},
		{name: "replay-safe single provider gets it all", method: "eth_blockNumber", plan: []string{"A"},
			script:  map[string][]step{"A": {ok(`"0x1"`)}},
			timeout: time.Second, want: []time.Duration{time.Second}},
		{name: "replay-safe: third attempt also gets the rest", method: "eth_blockNumber", plan: []string{"A", "B", "C"},
			script:  map[string][]step{"A": {reply(503, "")}, "B": {reply(503, "")}, "C": {ok(`"0x1"`)}},
			timeout: time.Second, want: []time.Duration{600 * time.Millisecond, time.Second, time.Second}},
		{name: "non-replay-safe gets it all", method: "eth_sendRawTransaction", plan: []string{"A", "B"},
			script:  map[string][]step{"A": {ok(`"0x1"`)}},
			timeout: time.Second, want: []time.Duration{time.Second}},
		{name: "tiny timeout: first attempt floored at 25ms", method: "eth_blockNumber", plan: []string{"A", "B"},
			script:  map[string][]step{"A": {reply(503, "")}, "B": {ok(`"0x1"`)}},
			timeout: 40 * time.Millisecond, want: []time.Duration{25 * time.Millisecond, 40 * time.Millisecond}},
		{name: "method table used when Options.Timeout is nil", method: "eth_getLogs", plan: []string{"A", "B"},
			script: map[string][]step{"A": {reply(503, "")}, "B": {ok(`"0x1"`)}},
			want:   []time.Duration{3 * time.Second, 5 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTransport(t, tt.script)
			opts := proxy.Options{}
			if tt.timeout > 0 {
				opts.Timeout = fixedTimeout(tt.timeout)
			}
			start := time.Now()
			if _, err := serve(context.Background(), tr, tt.plan, opts, call(tt.method, `1`, `[]`)); err != nil {
				t.Fatalf("Serve error = %v, want nil", err)
			}
			calls := tr.Calls()
			if len(calls) != len(tt.want) {
				t.Fatalf("providers called = %v, want %d calls", tr.Providers(), len(tt.want))
			}
			for i, c := range calls {
				if !c.HasDeadline {
					t.Fatalf("attempt %d had no deadline", i+1)
				}
				got := c.Deadline.Sub(start)
				if got < tt.want[i] || got > tt.want[i]+tol {
					t.Errorf("attempt %d deadline = start+%v, want start+%v (tolerance +%v)", i+1, got, tt.want[i], tol)
				}
			}
		})
	}
}

func TestForwarderHangingProviders(t *testing.T) {
	const (
		timeout = 200 * time.Millisecond
		tol     = 100 * time.Millisecond
	)
	tests := []struct {
		name          string
		script        map[string][]step
		plan          []string
		wantErr       error
		wantProviders []string
		wantDeadlines []time.Duration // from the start of Serve
	}{
		{name: "two hanging: timeout", plan: []string{"A", "B"},
			script:  map[string][]step{"A": {hang()}, "B": {hang()}},
			wantErr: proxy.ErrTimeout, wantProviders: []string{"A", "B"},
			wantDeadlines: []time.Duration{120 * time.Millisecond, timeout}},
		{name: "three hanging: deadline exhausted", plan: []string{"A", "B", "C"},
			script:  map[string][]step{"A": {hang()}, "B": {hang()}, "C": {hang()}},
			wantErr: proxy.ErrDeadlineExhausted, wantProviders: []string{"A", "B"},
			wantDeadlines: []time.Duration{120 * time.Millisecond, timeout}},
		{name: "one hanging provider: timeout", plan: []string{"A"},
			script:  map[string][]step{"A": {hang()}},
			wantErr: proxy.ErrTimeout, wantProviders: []string{"A"},
			wantDeadlines: []time.Duration{timeout}},
		{name: "hang then answer", plan: []string{"A", "B"},
			script:        map[string][]step{"A": {hang()}, "B": {ok(`"0xb"`)}},
			wantProviders: []string{"A", "B"},
			wantDeadlines: []time.Duration{120 * time.Millisecond, timeout}},
		{name: "sendRawTransaction hang: indeterminate", plan: []string{"A", "B"},
			script:  map[string][]step{"A": {hang()}, "B": {ok(`"0xb"`)}},
			wantErr: proxy.ErrIndeterminate, wantProviders: []string{"A"},
			wantDeadlines: []time.Duration{timeout}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTransport(t, tt.script)
			m := "eth_blockNumber"
			if strings.HasPrefix(tt.name, "sendRawTransaction") {
				m = "eth_sendRawTransaction"
			}
			c := call(m, `1`, `[]`)
			start := time.Now()
			resp, err := serve(context.Background(), tr, tt.plan, proxy.Options{Timeout: fixedTimeout(timeout)}, c)
			if tt.wantErr == nil {
				if err != nil || resp == nil || string(resp.Result) != `"0xb"` {
					t.Errorf("Serve = %s, %v; want B's result", encode(resp), err)
				}
			} else if !errors.Is(err, tt.wantErr) {
				t.Errorf("Serve = %s, %v; want errors.Is %v", encode(resp), err, tt.wantErr)
			}
			if got := tr.Providers(); !slices.Equal(got, tt.wantProviders) {
				t.Fatalf("providers called = %v, want %v", got, tt.wantProviders)
			}
			for i, call := range tr.Calls() {
				got := call.Deadline.Sub(start)
				want := tt.wantDeadlines[i]
				if got < want || got > want+tol {
					t.Errorf("attempt %d deadline = start+%v, want start+%v (tolerance +%v)", i+1, got, want, tol)
				}
			}
			if len(tt.wantDeadlines) == 2 {
				calls := tr.Calls()
				first := calls[0].Deadline.Sub(start)
				all := calls[1].Deadline.Sub(start)
				if ratio := float64(first) / float64(all); ratio < 0.45 || ratio > 0.75 {
					t.Errorf("first attempt deadline / call deadline = %.2f, want about 0.6", ratio)
				}
			}
		})
	}
}

func TestForwarderCanceled(t *testing.T) {
	t.Run("cancelled before the call", func(t *testing.T) {
		tr := newTransport(t, map[string][]step{"A": {ok(`"0xa"`)}})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		resp, err := serve(ctx, tr, []string{"A"}, proxy.Options{}, call("eth_blockNumber", `1`, `[]`))
		if !errors.Is(err, proxy.ErrCanceled) {
			t.Errorf("Serve = %s, %v; want ErrCanceled", encode(resp), err)
		}
		if n := len(tr.Calls()); n != 0 {
			t.Errorf("transport called %d times, want 0", n)
		}
	})
	for _, m := range []string{"eth_blockNumber", "eth_sendRawTransaction"} {
		for _, plan := range [][]string{{"A"}, {"A", "B"}} {
			t.Run(fmt.Sprintf("%s cancelled during the attempt, plan %v", m, plan), func(t *testing.T) {
				ctx, cancel := context.WithCancelCause(context.Background())
				defer cancel(nil)
				cancelling := func(ctx context.Context, _ string) (proxy.Reply, error) {
					cancel(errors.New("client went away"))
					<-ctx.Done()
					return proxy.Reply{}, ctx.Err()
				}
				tr := newTransport(t, map[string][]step{"A": {cancelling}, "B": {ok(`"0xb"`)}})
				resp, err := serve(ctx, tr, plan, proxy.Options{}, call(m, `1`, `[]`))
				if !errors.Is(err, proxy.ErrCanceled) {
					t.Errorf("Serve = %s, %v; want ErrCanceled", encode(resp), err)
				}
				if got, want := tr.Providers(), []string{"A"}; !slices.Equal(got, want) {
					t.Errorf("providers called = %v, want %v", got, want)
				}
			})
		}
	}
	t.Run("client deadline is a timeout, not a cancellation", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		tr := newTransport(t, map[string][]step{"A": {hang()}})
		resp, err := serve(ctx, tr, []string{"A"}, proxy.Options{}, call("eth_blockNumber", `1`, `[]`))
		if !errors.Is(err, proxy.ErrTimeout) {
			t.Errorf("Serve = %s, %v; want ErrTimeout", encode(resp), err)
		}
	})
}

func TestForwarderNoProviders(t *testing.T) {
	for _, plan := range [][]string{nil, {}} {
		tr := newTransport(t, nil)
		c := call("eth_blockNumber", `1`, `[]`)
		resp, err := serve(context.Background(), tr, plan, proxy.Options{}, c)
		if !errors.Is(err, proxy.ErrNoProviders) {
			t.Errorf("plan %v: Serve = %s, %v; want ErrNoProviders", plan, encode(resp), err)
		}
		if c.Meta.Attempts != 0 || len(tr.Calls()) != 0 {
			t.Errorf("plan %v: attempts = %d, transport calls = %d; want 0, 0", plan, c.Meta.Attempts, len(tr.Calls()))
		}
	}
}

// A notification is still a call: the provider executes it (the answer is
// not for the client, but the side effect is).
func TestForwarderNotification(t *testing.T) {
	for _, m := range []string{"eth_blockNumber", "eth_sendRawTransaction"} {
		t.Run(m, func(t *testing.T) {
			tr := newTransport(t, map[string][]step{"A": {ok(`"0xa"`)}})
			c := call(m, "", `["0x1"]`)
			if !c.Request.IsNotification() {
				t.Fatal("test call is not a notification")
			}
			resp, err := serve(context.Background(), tr, []string{"A"}, proxy.Options{}, c)
			if err != nil || resp == nil {
				t.Fatalf("Serve = %s, %v; want a response", encode(resp), err)
			}
			calls := tr.Calls()
			if len(calls) != 1 || calls[0].Method != m || string(calls[0].Params) != `["0x1"]` {
				t.Fatalf("upstream calls = %+v, want one %s with params [\"0x1\"]", calls, m)
			}
			if !strings.HasPrefix(calls[0].ID, "lasso-") {
				t.Errorf("upstream id = %q, want a private id even for a notification", calls[0].ID)
			}
		})
	}
}

func TestForwarderLogsFailedAttempts(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	tr := newTransport(t, map[string][]step{"A": {reply(503, "")}, "B": {ok(`"0xb"`)}})
	c := call("eth_blockNumber", `1`, `[]`)
	c.RequestID = "req-xyz"
	if _, err := serve(context.Background(), tr, []string{"A", "B"}, proxy.Options{Log: log}, c); err != nil {
		t.Fatal(err)
	}
	lines := logLines(t, &buf)
	if len(lines) != 1 {
		t.Fatalf("log lines = %d (%s), want 1", len(lines), buf.String())
	}
	l := lines[0]
	if l["request_id"] != "req-xyz" || l["provider"] != "A" || l["method"] != "eth_blockNumber" || l["error"] != "upstream HTTP 503" {
		t.Errorf("log line = %v, want request_id req-xyz, provider A, method eth_blockNumber, error upstream HTTP 503", l)
	}
}

func logLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q is not JSON: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}
