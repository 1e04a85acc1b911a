package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/jsonrpc"
	"github.com/lasso-serverless/lasso/shared/proxy"
	"github.com/lasso-serverless/lasso/shared/routing"
)

const blockNumber = `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`

// onlyCall returns the one Call the pipeline got.
func onlyCall(t *testing.T, r *rig) *proxy.Call {
	t.Helper()
	calls := r.pipe.Calls()
	if len(calls) != 1 {
		t.Fatalf("pipeline got %d calls, want 1", len(calls))
	}
	return calls[0]
}

func TestCallRoute(t *testing.T) {
	tests := []struct {
		path           string
		profile, chain string
		strategy       string
		override       string // provider id; "" means none
	}{
		{"/rpc/ethereum", "public", "ethereum", routing.Priority, ""},
		{"/rpc/eth", "public", "ethereum", routing.Priority, ""},
		{"/rpc/1", "public", "ethereum", routing.Priority, ""},
		{"/rpc/8453", "public", "base", routing.Priority, ""},
		{"/rpc/fastest/eth", "public", "ethereum", routing.Fastest, ""},
		{"/rpc/load-balanced/base", "public", "base", routing.LoadBalanced, ""},
		{"/rpc/round-robin/base", "public", "base", routing.LoadBalanced, ""},
		{"/rpc/latency-weighted/eth", "public", "ethereum", routing.LatencyWeighted, ""},
		{"/rpc/provider/b/eth", "public", "ethereum", routing.Priority, "b"},
		{"/rpc/ethereum/a", "public", "ethereum", routing.Priority, "a"},
		{"/rpc/profile/team/ethereum", "team", "ethereum", routing.Priority, ""},
		{"/rpc/profile/default/eth", "public", "ethereum", routing.Priority, ""},
		{"/rpc/profile/team/fastest/ethereum", "team", "ethereum", routing.Fastest, ""},
		{"/rpc/profile/team/provider/t1/ethereum", "team", "ethereum", routing.Priority, "t1"},
		{"/rpc/profile/team/ethereum/t1", "team", "ethereum", routing.Priority, "t1"},
		{"/rpc/ethereum/", "public", "ethereum", routing.Priority, ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			// A non-default DefaultStrategy shows the option, not the
			// package default, serves routes that name none.
			r := newRig(t, func(o *Options) { o.DefaultStrategy = routing.Priority })
			w := r.post(tt.path, blockNumber)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d, body %s", w.Code, w.Body)
			}
			c := onlyCall(t, r)
			if c.Profile.Slug != tt.profile || c.Chain.Key != tt.chain || c.Strategy != tt.strategy {
				t.Errorf("got profile %q chain %q strategy %q, want %q %q %q",
					c.Profile.Slug, c.Chain.Key, c.Strategy, tt.profile, tt.chain, tt.strategy)
			}
			var got string
			if c.Override != nil {
				got = c.Override.ID
				if want, _ := c.Chain.Provider(got); want != c.Override {
					t.Errorf("Override is not the chain's own *Provider")
				}
			}
			if got != tt.override {
				t.Errorf("Override: got %q, want %q", got, tt.override)
			}
			if c.Path != tt.path {
				t.Errorf("Path: got %q, want %q", c.Path, tt.path)
			}
		})
	}
}

func TestCallDefaultStrategy(t *testing.T) {
	r := newRig(t, nil) // DefaultStrategy unset: Lasso's default
	r.post("/rpc/eth", blockNumber)
	if c := onlyCall(t, r); c.Strategy != routing.LoadBalanced {
		t.Errorf("Strategy: got %q, want %q", c.Strategy, routing.LoadBalanced)
	}
}

func TestCallOverridePrecedence(t *testing.T) {
	tests := []struct {
		name   string
		target string
		header string // X-Lasso-Provider
		want   string
	}{
		{"none", "/rpc/eth", "", ""},
		{"header", "/rpc/eth", "b", "b"},
		{"provider_id over header", "/rpc/eth?provider_id=a", "b", "a"},
		{"provider_override over provider_id", "/rpc/eth?provider_id=a&provider_override=b", "a", "b"},
		{"path over query and header", "/rpc/eth/a?provider_override=b&provider_id=b", "b", "a"},
		{"provider route over query", "/rpc/provider/b/eth?provider_override=a", "a", "b"},
		{"empty query value falls through", "/rpc/eth?provider_override=&provider_id=b", "a", "b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, nil)
			var hdr []string
			if tt.header != "" {
				hdr = []string{"X-Lasso-Provider", tt.header}
			}
			if w := r.post(tt.target, blockNumber, hdr...); w.Code != http.StatusOK {
				t.Fatalf("status %d, body %s", w.Code, w.Body)
			}
			c := onlyCall(t, r)
			var got string
			if c.Override != nil {
				got = c.Override.ID
			}
			if got != tt.want {
				t.Errorf("Override: got %q, want %q", got, tt.want)
			}
		})
	}
}

// Failures of the route are answered before the pipeline sees anything.
func TestRouteRejected(t *testing.T) {
	tests := []struct {
		name   string
		target string
		header []string
		status int
		code   int
		msg    string
	}{
		{"unknown chain", "/rpc/zksync", nil, 400, -32602, "Unsupported chain: Unknown chain 'zksync' in profile 'public'"},
		{"chain not in profile", "/rpc/profile/team/base", nil, 400, -32602, "Unsupported chain: Unknown chain 'base' in profile 'team'"},
		{"unknown profile", "/rpc/profile/nope/eth", nil, 404, -32000, "Profile 'nope' not found"},
		{"empty profile", "/rpc/profile//eth", nil, 400, -32602, "Invalid params: profile must not be empty"},
		{"blank profile", "/rpc/profile/%20/eth", nil, 400, -32602, "Invalid params: profile must not be empty"},
		{"unknown provider in path", "/rpc/eth/zz", nil, 400, -32602, "Unsupported chain: Provider 'zz' is not configured for this chain"},
		{"catch-all strategy word", "/rpc/ethereum/fastest", nil, 400, -32602, "Unsupported chain: Provider 'fastest' is not configured for this chain"},
		{"priority has no route", "/rpc/priority/ethereum", nil, 400, -32602, "Unsupported chain: Unknown chain 'priority' in profile 'public'"},
		{"provider of another chain", "/rpc/profile/team/ethereum/a", nil, 400, -32602, "Unsupported chain: Provider 'a' is not configured for this chain"},
		{"unknown provider in query", "/rpc/eth?provider_override=zz", nil, 400, -32602, ""},
		{"unknown provider in header", "/rpc/eth", []string{"X-Lasso-Provider", "zz"}, 400, -32602, ""},
		{"too many segments", "/rpc/a/b/c", nil, 404, -32600, "Invalid Request: unknown path"},
		{"no chain", "/rpc/", nil, 404, -32600, "Invalid Request: unknown path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, nil)
			w := r.post(tt.target, blockNumber, tt.header...)
			resp := wantRPCError(t, w, tt.status, tt.code, tt.msg)
			if string(resp.ID) != "null" {
				t.Errorf("id: got %s, want null", resp.ID)
			}
			if n := len(r.pipe.Calls()); n != 0 {
				t.Errorf("pipeline got %d calls, want 0", n)
			}
		})
	}
}

func TestCallRequestID(t *testing.T) {
	r := newRig(t, nil)
	const given = "trace-0123456789abcdef"
	w := r.post("/rpc/eth", blockNumber, "X-Request-Id", given)
	if got := w.Header().Get("X-Request-Id"); got != given {
		t.Errorf("X-Request-Id: got %q, want %q", got, given)
	}
	if c := onlyCall(t, r); c.RequestID != given {
		t.Errorf("Call.RequestID: got %q, want %q", c.RequestID, given)
	}

	r = newRig(t, nil)
	w = r.post("/rpc/eth", blockNumber, "X-Request-Id", "short")
	sent := w.Header().Get("X-Request-Id")
	if len(sent) != 20 || sent == "short" {
		t.Errorf("X-Request-Id: got %q, want a fresh 20-character id", sent)
	}
	if c := onlyCall(t, r); c.RequestID != sent {
		t.Errorf("Call.RequestID: got %q, want the id sent back %q", c.RequestID, sent)
	}
}

func TestCallRequest(t *testing.T) {
	tests := []struct {
		body   string
		id     string
		method string
		params string
	}{
		{`{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`, `1`, "eth_blockNumber", `[]`},
		{`{"jsonrpc":"2.0","id":"x","method":"eth_blockNumber","params":null}`, `"x"`, "eth_blockNumber", `[]`},
		{`{"jsonrpc":"2.0","id":null,"method":"eth_getBlockByNumber","params":["latest",false]}`, `null`, "eth_getBlockByNumber", `["latest",false]`},
		{`{"jsonrpc":"2.0","id":2,"method":"eth_call","params":{"to":"0x0"}}`, `2`, "eth_call", `[{"to":"0x0"}]`},
		{`{"id":3,"method":"eth_chainId","params":[]}`, `3`, "eth_chainId", `[]`},
		{`{"jsonrpc":"2.0","id":4,"method":"eth\u005fgetBalance","params":"0xabc"}`, `4`, "eth_getBalance", `["0xabc"]`},
		{` {"jsonrpc":"2.0","id":-5,"method":"eth_call","params":[ 1 ]} `, `-5`, "eth_call", `[ 1 ]`},
	}
	for _, tt := range tests {
		r := newRig(t, nil)
		w := r.post("/rpc/eth", tt.body)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: status %d, body %s", tt.body, w.Code, w.Body)
		}
		c := onlyCall(t, r)
		if string(c.Request.ID) != tt.id || c.Request.Method != tt.method || string(c.Request.Params) != tt.params {
			t.Errorf("%s: got id %s method %q params %s, want %s %q %s",
				tt.body, c.Request.ID, c.Request.Method, c.Request.Params, tt.id, tt.method, tt.params)
		}
		if resp := decodeOne(t, w); string(resp.ID) != tt.id || string(resp.Result) != `"0x1"` {
			t.Errorf("%s: response %s", tt.body, w.Body)
		}
	}
}

func TestBatch(t *testing.T) {
	r := newRig(t, nil)
	r.pipe.serve = func(_ context.Context, c *proxy.Call) (*jsonrpc.Response, error) {
		if c.Request.Method == "eth_fail" {
			return nil, proxy.ErrTimeout
		}
		return jsonrpc.NewResult(c.Request.ID, json.RawMessage(`"`+c.Request.Method+`"`)), nil
	}
	body := `[
		{"jsonrpc":"2.0","id":1,"method":"eth_a"},
		{"jsonrpc":"2.0","id":2,"method":"eth_b","params":{"k":1}},
		{"jsonrpc":"2.0","id":3},
		{"jsonrpc":"2.0","method":"eth_notify"},
		{"jsonrpc":"1.0","id":"v","method":"eth_c"},
		42,
		{"jsonrpc":"2.0","id":4,"method":"eth_fail"}
	]`
	w := r.post("/rpc/profile/team/fastest/ethereum", body, "X-Request-Id", "batch-request-id-0001")
	if w.Code != http.StatusOK {
		t.Fatalf("status %d, body %s", w.Code, w.Body)
	}

	calls := r.pipe.Calls()
	var methods []string
	for i, c := range calls {
		methods = append(methods, c.Request.Method)
		if c.Profile.Slug != "team" || c.Chain.Key != "ethereum" || c.Strategy != routing.Fastest ||
			c.RequestID != "batch-request-id-0001" || c.Path != "/rpc/profile/team/fastest/ethereum" {
			t.Errorf("call %s: got %+v", c.Request.Method, c)
		}
		for _, d := range calls[:i] {
			if d == c {
				t.Errorf("calls %s and %s share one *proxy.Call", c.Request.Method, d.Request.Method)
			}
		}
		if c.Request.Method == "eth_b" && string(c.Request.Params) != `[{"k":1}]` {
			t.Errorf("eth_b params: got %s, want [{\"k\":1}]", c.Request.Params)
		}
	}
	slices.Sort(methods)
	if want := []string{"eth_a", "eth_b", "eth_fail", "eth_notify"}; !slices.Equal(methods, want) {
		t.Errorf("pipeline got %v, want %v (invalid members must not reach it)", methods, want)
	}

	got := decodeBatch(t, w)
	type item struct {
		id     string
		result string
		code   int
	}
	want := []item{
		{`1`, `"eth_a"`, 0},
		{`2`, `"eth_b"`, 0},
		{`3`, ``, -32600},
		{`"v"`, ``, -32600},
		{`null`, ``, -32600},
		{`4`, ``, -32007},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d responses, want %d (no answer to the notification): %s", len(got), len(want), w.Body)
	}
	for i, g := range got {
		var code int
		if g.Error != nil {
			code = g.Error.Code
		}
		if string(g.ID) != want[i].id || string(g.Result) != want[i].result || code != want[i].code {
			t.Errorf("response %d: got id %s result %s code %d, want %+v", i, g.ID, g.Result, code, want[i])
		}
	}
}

func TestBatchOnlyInvalid(t *testing.T) {
	r := newRig(t, nil)
	w := r.post("/rpc/eth", `[1,{"id":2},{"jsonrpc":"2.0","id":3,"method":""}]`)
	if n := len(r.pipe.Calls()); n != 0 {
		t.Errorf("pipeline got %d calls, want 0", n)
	}
	got := decodeBatch(t, w)
	if w.Code != http.StatusOK || len(got) != 3 {
		t.Fatalf("got %d %s, want 200 and three errors", w.Code, w.Body)
	}
	for i, g := range got {
		if g.Error == nil || g.Error.Code != -32600 {
			t.Errorf("response %d: got %+v, want -32600", i, g)
		}
	}
}

func TestNotifications(t *testing.T) {
	for _, body := range []string{
		`{"jsonrpc":"2.0","method":"eth_notify"}`,
		`[{"jsonrpc":"2.0","method":"eth_notify"},{"jsonrpc":"2.0","method":"eth_other"}]`,
	} {
		r := newRig(t, nil)
		w := r.post("/rpc/eth", body)
		if w.Code != http.StatusNoContent || w.Body.Len() != 0 {
			t.Errorf("%s: got %d %q, want 204 and no body", body, w.Code, w.Body)
		}
		calls := r.pipe.Calls()
		if len(calls) == 0 {
			t.Errorf("%s: notifications did not reach the pipeline", body)
		}
		for _, c := range calls {
			if !c.Request.IsNotification() {
				t.Errorf("%s: call %s is not a notification", body, c.Request.Method)
			}
		}
	}
}

func TestBatchLimits(t *testing.T) {
	r := newRig(t, func(o *Options) { o.MaxBatch = 2 })
	w := r.post("/rpc/eth", `[]`)
	wantRPCError(t, w, http.StatusOK, -32600, "Invalid Request")
	w = r.post("/rpc/eth", `[`+blockNumber+`,`+blockNumber+`,`+blockNumber+`]`)
	wantRPCError(t, w, http.StatusOK, -32600, "Invalid Request: batch too large")
	w = r.post("/rpc/eth", `{"jsonrpc":"2.0",`)
	wantRPCError(t, w, http.StatusBadRequest, -32700, "Parse error: Invalid JSON")
	w = r.post("/rpc/eth", ``)
	wantRPCError(t, w, http.StatusBadRequest, -32700, "Parse error: Invalid JSON")
	if n := len(r.pipe.Calls()); n != 0 {
		t.Errorf("pipeline got %d calls, want 0", n)
	}
}

// A provider's JSON-RPC error is an answer, returned as the pipeline gave it.
func TestPipelineErrorResponse(t *testing.T) {
	r := newRig(t, nil)
	r.pipe.serve = func(_ context.Context, c *proxy.Call) (*jsonrpc.Response, error) {
		return jsonrpc.NewErrorResponse(c.Request.ID, &jsonrpc.Error{Code: 3, Message: "execution reverted", Data: json.RawMessage(`"0xdead"`)}), nil
	}
	w := r.post("/rpc/eth", `{"jsonrpc":"2.0","id":9,"method":"eth_call","params":[]}`)
	resp := wantRPCError(t, w, http.StatusOK, 3, "execution reverted")
	if string(resp.ID) != "9" || string(resp.Error.Data) != `"0xdead"` {
		t.Errorf("got %s", w.Body)
	}
}

func TestContentType(t *testing.T) {
	tests := []struct {
		ct string
		ok bool
	}{
		{"application/json", true},
		{"application/json; charset=utf-8", true},
		{"application/json;charset=UTF-8", true},
		{"APPLICATION/JSON", true},
		{"Application/Json; Charset=utf-8", true},
		{"application/vnd.api+json", true},
		{"text/plain", false},
		{"", false},
		{"application/x-www-form-urlencoded", false},
		{"multipart/form-data; boundary=x", false},
		{"text/json", false},
	}
	for _, tt := range tests {
		r := newRig(t, nil)
		req := []string{}
		if tt.ct != "" {
			req = append(req, "Content-Type", tt.ct)
		}
		w := r.do(http.MethodPost, "/rpc/eth", blockNumber, req...)
		if tt.ok {
			if w.Code != http.StatusOK || len(r.pipe.Calls()) != 1 {
				t.Errorf("Content-Type %q: got %d %s, want 200 and one call", tt.ct, w.Code, w.Body)
			}
			continue
		}
		t.Run(tt.ct, func(t *testing.T) {
			wantRPCError(t, w, http.StatusUnsupportedMediaType, -32600, "Invalid Request: Content-Type must be application/json")
		})
		if n := len(r.pipe.Calls()); n != 0 {
			t.Errorf("Content-Type %q: pipeline got %d calls, want 0", tt.ct, n)
		}
	}
}

func TestMethodNotAllowed(t *testing.T) {
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodDelete, http.MethodHead} {
		r := newRig(t, nil)
		w := r.do(m, "/rpc/eth", "", "Content-Type", "application/json")
		if w.Code != http.StatusMethodNotAllowed {
			t.Errorf("%s: status %d, want 405", m, w.Code)
		}
		if got := w.Header().Get("Allow"); got != "POST, OPTIONS" {
			t.Errorf("%s: Allow %q, want \"POST, OPTIONS\"", m, got)
		}
		if m != http.MethodHead {
			wantRPCError(t, w, http.StatusMethodNotAllowed, -32600, "Invalid Request: use POST")
		}
	}
}

func TestBodyTooLarge(t *testing.T) {
	r := newRig(t, func(o *Options) { o.MaxBodyBytes = 64 })
	body := `{"jsonrpc":"2.0","id":1,"method":"eth_call","params":["` + strings.Repeat("a", 64) + `"]}`
	w := r.post("/rpc/eth", body)
	wantRPCError(t, w, http.StatusRequestEntityTooLarge, -32600, "Invalid Request: request body too large")

	// Without a Content-Length the limit is enforced while reading.
	req := newChunked(body)
	rec := serve(r.h, req)
	wantRPCError(t, rec, http.StatusRequestEntityTooLarge, -32600, "Invalid Request: request body too large")

	if n := len(r.pipe.Calls()); n != 0 {
		t.Errorf("pipeline got %d calls, want 0", n)
	}
	if used := r.h.budget.used.Load(); used != 0 {
		t.Errorf("budget used %d after refusals, want 0", used)
	}
	// Exactly at the limit is fine.
	exact := `{"jsonrpc":"2.0","id":1,"method":"eth_call"}`
	exact += strings.Repeat(" ", 64-len(exact))
	w = r.post("/rpc/eth", exact)
	if w.Code != http.StatusOK {
		t.Errorf("64-byte body with MaxBodyBytes 64: got %d %s, want 200", w.Code, w.Body)
	}
}

func TestBatchConcurrencyOption(t *testing.T) {
	var mu sync.Mutex
	inFlight, peak := 0, 0
	r := newRig(t, func(o *Options) { o.BatchConcurrency = 2 })
	r.pipe.serve = func(_ context.Context, c *proxy.Call) (*jsonrpc.Response, error) {
		mu.Lock()
		inFlight++
		peak = max(peak, inFlight)
		mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		mu.Lock()
		inFlight--
		mu.Unlock()
		return jsonrpc.NewResult(c.Request.ID, json.RawMessage(`1`)), nil
	}
	items := make([]string, 8)
	for i := range items {
		items[i] = fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"m"}`, i)
	}
	w := r.post("/rpc/eth", "["+strings.Join(items, ",")+"]")
	got := decodeBatch(t, w)
	if len(got) != 8 {
		t.Fatalf("got %d responses, want 8", len(got))
	}
	for i, g := range got {
		if string(g.ID) != fmt.Sprint(i) {
			t.Errorf("response %d has id %s: answers must keep request order", i, g.ID)
		}
	}
	if peak > 2 {
		t.Errorf("peak concurrency %d, want at most BatchConcurrency 2", peak)
	}
}

// A one-element batch is still answered with an array.
func TestBatchOfOne(t *testing.T) {
	r := newRig(t, nil)
	w := r.post("/rpc/eth", `[`+blockNumber+`]`)
	if got := decodeBatch(t, w); len(got) != 1 || string(got[0].ID) != "1" {
		t.Errorf("got %s, want a one-element array", w.Body)
	}
}

// A body that breaks off (client gone, short of its Content-Length) is a
// parse error, and charges nothing.
func TestBodyReadError(t *testing.T) {
	r := newRig(t, nil)
	for _, cl := range []int64{-1, 200} {
		req := newChunked(`{"jsonrpc":"2.0","id":1,`)
		req.ContentLength = cl
		w := serve(r.h, req)
		wantRPCError(t, w, http.StatusBadRequest, -32700, "Parse error: Invalid JSON")
	}
	if used := r.h.budget.used.Load(); used != 0 {
		t.Errorf("budget used %d, want 0", used)
	}
	if n := len(r.pipe.Calls()); n != 0 {
		t.Errorf("pipeline got %d calls", n)
	}
}
