package app_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// httptestRequestChunked is a POST whose length is not declared up front.
func httptestRequestChunked(body string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/rpc/ethereum", io.NopCloser(strings.NewReader(body)))
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	return req
}

func TestHTTPSurface(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil, testProvider{id: "a", priority: 1, behave: ok(`"0x10"`)})

	t.Run("CORS preflight", func(t *testing.T) {
		got := r.do(httptest.NewRequest(http.MethodOptions, "/rpc/ethereum", nil))
		if got.status != 204 {
			t.Errorf("status: got %d, want 204", got.status)
		}
		for k, want := range map[string]string{
			"Access-Control-Allow-Origin":  "*",
			"Access-Control-Allow-Methods": "GET, POST, OPTIONS",
			"Access-Control-Max-Age":       "86400",
		} {
			if v := got.header.Get(k); v != want {
				t.Errorf("%s: got %q, want %q", k, v, want)
			}
		}
		for _, h := range []string{"Content-Type", "Authorization", "X-Requested-With", "X-Lasso-Provider", "X-Lasso-Transport", "X-Lasso-Include-Meta"} {
			if !strings.Contains(got.header.Get("Access-Control-Allow-Headers"), h) {
				t.Errorf("Access-Control-Allow-Headers %q lacks %s", got.header.Get("Access-Control-Allow-Headers"), h)
			}
		}
	})
	t.Run("CORS on answers", func(t *testing.T) {
		got := r.post("/rpc/ethereum", `{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`)
		if v := got.header.Get("Access-Control-Allow-Origin"); v != "*" {
			t.Errorf("got %q, want *", v)
		}
	})
	t.Run("request id reused when valid", func(t *testing.T) {
		id := "req-0123456789abcdefghij"
		got := r.post("/rpc/ethereum", `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`, "X-Request-Id", id)
		if v := got.header.Get("X-Request-Id"); v != id {
			t.Errorf("got %q, want %q", v, id)
		}
		if !strings.Contains(r.logs.String(), `"request_id":"`+id+`"`) {
			t.Errorf("log lacks the request id %s", id)
		}
	})
	t.Run("request id generated when missing or invalid", func(t *testing.T) {
		for _, given := range []string{"", "short", strings.Repeat("x", 201), "has spaces in it, which is not ok"} {
			got := r.post("/rpc/ethereum", `{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`, "X-Request-Id", given)
			v := got.header.Get("X-Request-Id")
			if v == "" || v == given || len(v) < 20 {
				t.Errorf("given %q: got %q, want a fresh id", given, v)
			}
		}
	})
	t.Run("content type must be JSON", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPost, "/rpc/ethereum", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`))
		req.Header.Set("Content-Type", "text/plain")
		got := r.do(req)
		if got.status != http.StatusUnsupportedMediaType {
			t.Errorf("status: got %d, want 415", got.status)
		}
		if code, _ := got.errorOf(t); code != -32600 {
			t.Errorf("code: got %d, want -32600", code)
		}
	})
	t.Run("content type with charset", func(t *testing.T) {
		got := r.post("/rpc/ethereum", `{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`, "Content-Type", "application/json; charset=utf-8")
		if got.status != 200 {
			t.Errorf("status: got %d, want 200", got.status)
		}
	})
	t.Run("GET on an RPC path", func(t *testing.T) {
		got := r.do(httptest.NewRequest(http.MethodGet, "/rpc/ethereum", nil))
		if got.status != http.StatusMethodNotAllowed || got.header.Get("Allow") == "" {
			t.Errorf("got %d Allow=%q, want 405 with Allow", got.status, got.header.Get("Allow"))
		}
	})
	t.Run("unknown RPC path shape", func(t *testing.T) {
		got := r.post("/rpc/a/b/c/d", `{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`)
		if got.status != 404 {
			t.Errorf("got %d, want 404", got.status)
		}
	})
	t.Run("unknown path", func(t *testing.T) {
		got := r.do(httptest.NewRequest(http.MethodGet, "/nope", nil))
		if got.status != 404 {
			t.Errorf("got %d, want 404", got.status)
		}
	})
	t.Run("health", func(t *testing.T) {
		got := r.do(httptest.NewRequest(http.MethodGet, "/api/health", nil))
		m := got.object(t)
		cluster, _ := m["cluster"].(map[string]any)
		if got.status != 200 || m["status"] != "healthy" || cluster["enabled"] != false || cluster["status"] != "standalone" {
			t.Errorf("got %d %s, want healthy standalone", got.status, got.body)
		}
		for _, k := range []string{"timestamp", "uptime_seconds", "version"} {
			if _, ok := m[k]; !ok {
				t.Errorf("health lacks %s", k)
			}
		}
	})
	t.Run("chains", func(t *testing.T) {
		got := r.do(httptest.NewRequest(http.MethodGet, "/api/chains", nil))
		want := `{"chains":[{"chain_id":"1","name":"ethereum","chain_name":"ethereum","supported":true},{"chain_id":"8453","name":"base","chain_name":"base","supported":true}]}`
		if string(got.body) != want {
			t.Errorf("got %s, want %s", got.body, want)
		}
	})
	t.Run("params normalised", func(t *testing.T) {
		before := len(r.provider["a"].Received())
		r.post("/rpc/ethereum", `{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByHash","params":{"a":1}}`)
		r.post("/rpc/ethereum", `{"jsonrpc":"2.0","id":2,"method":"eth_getBlockByHash"}`)
		r.post("/rpc/ethereum", `{"jsonrpc":"2.0","id":3,"method":"eth_getBlockByHash","params":null}`)
		got := r.provider["a"].Received()[before:]
		want := []string{`[{"a":1}]`, `[]`, `[]`}
		for i, w := range want {
			if string(got[i].Params) != w {
				t.Errorf("call %d: upstream params %s, want %s", i, got[i].Params, w)
			}
		}
	})
}
