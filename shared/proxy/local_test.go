package proxy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/lasso-serverless/lasso/shared/jsonrpc"
	"github.com/lasso-serverless/lasso/shared/proxy"
)

// nextHandler records the calls that reach it and answers with a marker.
type nextHandler struct {
	mu    sync.Mutex
	calls []string
}

func (n *nextHandler) Serve(_ context.Context, c *proxy.Call) (*jsonrpc.Response, error) {
	n.mu.Lock()
	n.calls = append(n.calls, c.Request.Method)
	n.mu.Unlock()
	return jsonrpc.NewResult(c.Request.ID, json.RawMessage(`"from-next"`)), nil
}

func (n *nextHandler) count() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.calls)
}

func TestLocalChainID(t *testing.T) {
	tests := []struct {
		name      string
		params    string
		override  bool
		want      string
		wantNext  bool
		wantLocal bool
	}{
		{name: "no params", params: `[]`, want: `{"jsonrpc":"2.0","id":1,"result":"0x1"}`, wantLocal: true},
		{name: "empty params with spaces", params: "[ \n ]", want: `{"jsonrpc":"2.0","id":1,"result":"0x1"}`, wantLocal: true},
		{name: "with params", params: `["x"]`, want: `{"jsonrpc":"2.0","id":1,"result":"from-next"}`, wantNext: true},
		{name: "with override", params: `[]`, override: true, want: `{"jsonrpc":"2.0","id":1,"result":"from-next"}`, wantNext: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := &nextHandler{}
			c := call("eth_chainId", `1`, tt.params)
			if tt.override {
				c.Override = provider("A")
			}
			resp, err := proxy.Local(next).Serve(context.Background(), c)
			if err != nil {
				t.Fatalf("Serve error = %v, want nil", err)
			}
			if got := encode(resp); got != tt.want {
				t.Errorf("response = %s, want %s", got, tt.want)
			}
			if got := next.count() == 1; got != tt.wantNext {
				t.Errorf("next called = %v, want %v", got, tt.wantNext)
			}
			if c.Meta.Local != tt.wantLocal {
				t.Errorf("Meta.Local = %v, want %v", c.Meta.Local, tt.wantLocal)
			}
		})
	}
}

func TestLocalChainIDUsesTheCallsChain(t *testing.T) {
	next := &nextHandler{}
	c := call("eth_chainId", `"x"`, `[]`)
	c.Chain.IDHex = []byte(`"0xa4b1"`)
	resp, err := proxy.Local(next).Serve(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := encode(resp), `{"jsonrpc":"2.0","id":"x","result":"0xa4b1"}`; got != want {
		t.Errorf("response = %s, want %s", got, want)
	}
}

func TestLocalRefusesSigningMethods(t *testing.T) {
	for _, m := range []string{"eth_sendTransaction", "personal_sign", "eth_sign", "eth_signTransaction", "eth_accounts", "personal_sendTransaction"} {
		t.Run(m, func(t *testing.T) {
			next := &nextHandler{}
			c := call(m, `1`, `[]`)
			resp, err := proxy.Local(next).Serve(context.Background(), c)
			var rpcErr *jsonrpc.Error
			if !errors.As(err, &rpcErr) {
				t.Fatalf("Serve = %s, %v; want *jsonrpc.Error", encode(resp), err)
			}
			if rpcErr.Code != -32601 || rpcErr.Message != "Method not supported by proxy" || rpcErr.Data != nil {
				t.Errorf("error = %+v, want -32601 \"Method not supported by proxy\" without data", rpcErr)
			}
			if resp != nil {
				t.Errorf("response = %s, want nil", encode(resp))
			}
			if next.count() != 0 {
				t.Errorf("next called %d times, want 0", next.count())
			}
			if !c.Meta.Local {
				t.Error("Meta.Local = false, want true")
			}
		})
	}
}

func TestLocalSubscriptionsOverHTTP(t *testing.T) {
	tests := []struct {
		method, path, wantURL string
	}{
		{"eth_subscribe", "/rpc/ethereum", "/ws/rpc/ethereum"},
		{"eth_unsubscribe", "/rpc/fastest/ethereum", "/ws/rpc/fastest/ethereum"},
		{"eth_subscribe", "/rpc/profile/team/1", "/ws/rpc/profile/team/1"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			next := &nextHandler{}
			c := call(tt.method, `1`, `["newHeads"]`)
			c.Path = tt.path
			_, err := proxy.Local(next).Serve(context.Background(), c)
			var rpcErr *jsonrpc.Error
			if !errors.As(err, &rpcErr) {
				t.Fatalf("error = %v, want *jsonrpc.Error", err)
			}
			if rpcErr.Code != -32601 {
				t.Errorf("code = %d, want -32601", rpcErr.Code)
			}
			if !strings.Contains(rpcErr.Message, "WebSocket") {
				t.Errorf("message = %q, want it to point at WebSocket", rpcErr.Message)
			}
			wantData := map[string]string{"websocket_url": tt.wantURL}
			if !reflect.DeepEqual(rpcErr.Data, wantData) {
				t.Errorf("data = %#v, want %#v", rpcErr.Data, wantData)
			}
			if next.count() != 0 {
				t.Errorf("next called %d times, want 0", next.count())
			}
		})
	}
}

func TestLocalForwardsEverythingElse(t *testing.T) {
	for _, m := range []string{"eth_blockNumber", "eth_sendRawTransaction", "net_version", "foo_bar", "eth_chainid"} {
		next := &nextHandler{}
		c := call(m, `1`, `[]`)
		resp, err := proxy.Local(next).Serve(context.Background(), c)
		if err != nil || string(resp.Result) != `"from-next"` {
			t.Errorf("%s: Serve = %s, %v; want next's answer", m, encode(resp), err)
		}
		if c.Meta.Local {
			t.Errorf("%s: Meta.Local = true, want false", m)
		}
	}
}

func TestRecover(t *testing.T) {
	tests := []struct {
		name      string
		panicWith any
		wantPanic string
	}{
		{name: "string", panicWith: "boom", wantPanic: "boom"},
		{name: "error", panicWith: errors.New("bad state"), wantPanic: "bad state"},
		{name: "nil", panicWith: nil, wantPanic: "panic called with nil argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(slog.NewJSONHandler(&buf, nil))
			h := proxy.Recover(log)(proxy.HandlerFunc(func(context.Context, *proxy.Call) (*jsonrpc.Response, error) {
				panic(tt.panicWith)
			}))
			c := call("eth_getLogs", `1`, `[]`)
			c.RequestID = "req-panic-7"
			resp, err := h.Serve(context.Background(), c)
			var rpcErr *jsonrpc.Error
			if !errors.As(err, &rpcErr) || rpcErr.Code != -32603 {
				t.Fatalf("Serve = %s, %v; want *jsonrpc.Error -32603", encode(resp), err)
			}
			if resp != nil {
				t.Errorf("response = %s, want nil", encode(resp))
			}
			lines := logLines(t, &buf)
			if len(lines) != 1 {
				t.Fatalf("log lines = %d (%s), want 1", len(lines), buf.String())
			}
			l := lines[0]
			if l["level"] != "ERROR" || l["request_id"] != "req-panic-7" || l["method"] != "eth_getLogs" {
				t.Errorf("log line = %v, want level ERROR, request_id req-panic-7, method eth_getLogs", l)
			}
			if p, _ := l["panic"].(string); !strings.Contains(p, tt.wantPanic) {
				t.Errorf("log panic = %q, want it to contain %q", p, tt.wantPanic)
			}
			if s, _ := l["stack"].(string); !strings.Contains(s, "goroutine") {
				t.Errorf("log stack = %q, want a stack trace", s)
			}
		})
	}
}

func TestRecoverPassesThrough(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	sentinel := errors.New("routing failed")
	want := jsonrpc.NewResult(json.RawMessage(`1`), json.RawMessage(`"0x1"`))
	for _, tt := range []struct {
		name string
		resp *jsonrpc.Response
		err  error
	}{
		{"response", want, nil},
		{"error", nil, sentinel},
	} {
		h := proxy.Recover(log)(proxy.HandlerFunc(func(context.Context, *proxy.Call) (*jsonrpc.Response, error) {
			return tt.resp, tt.err
		}))
		resp, err := h.Serve(context.Background(), call("eth_blockNumber", `1`, `[]`))
		if resp != tt.resp || err != tt.err {
			t.Errorf("%s: Serve = %v, %v; want %v, %v", tt.name, resp, err, tt.resp, tt.err)
		}
	}
	if buf.Len() != 0 {
		t.Errorf("log = %s, want nothing without a panic", buf.String())
	}
}

func TestChainOrder(t *testing.T) {
	var trace []string
	mw := func(name string) proxy.Middleware {
		return func(next proxy.Handler) proxy.Handler {
			return proxy.HandlerFunc(func(ctx context.Context, c *proxy.Call) (*jsonrpc.Response, error) {
				trace = append(trace, name+">")
				r, err := next.Serve(ctx, c)
				trace = append(trace, "<"+name)
				return r, err
			})
		}
	}
	h := proxy.HandlerFunc(func(context.Context, *proxy.Call) (*jsonrpc.Response, error) {
		trace = append(trace, "handler")
		return nil, nil
	})
	tests := []struct {
		name string
		mws  []proxy.Middleware
		want []string
	}{
		{"none", nil, []string{"handler"}},
		{"one", []proxy.Middleware{mw("a")}, []string{"a>", "handler", "<a"}},
		{"three, first outermost", []proxy.Middleware{mw("a"), mw("b"), mw("c")},
			[]string{"a>", "b>", "c>", "handler", "<c", "<b", "<a"}},
	}
	for _, tt := range tests {
		trace = nil
		if _, err := proxy.Chain(h, tt.mws...).Serve(context.Background(), call("m", `1`, `[]`)); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(trace, tt.want) {
			t.Errorf("%s: order = %v, want %v", tt.name, trace, tt.want)
		}
	}
}

// The production order: Recover outside Local, so a panic anywhere is caught,
// and Local before the Forwarder, so refused methods never reach a provider.
func TestChainRecoverLocalForwarder(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	tr := newTransport(t, map[string][]step{"A": {ok(`"0xa"`)}})
	fwd := proxy.NewForwarder(fixedPlanner(providers("A")), admitted{}, tr, proxy.Options{Log: log})
	h := proxy.Chain(fwd, proxy.Recover(log), proxy.Local)

	for _, tt := range []struct {
		method   string
		want     string
		wantCode int
	}{
		{method: "eth_chainId", want: `{"jsonrpc":"2.0","id":1,"result":"0x1"}`},
		{method: "eth_accounts", wantCode: -32601},
		{method: "eth_blockNumber", want: `{"jsonrpc":"2.0","id":1,"result":"0xa"}`},
	} {
		resp, err := h.Serve(context.Background(), call(tt.method, `1`, `[]`))
		if tt.wantCode != 0 {
			var rpcErr *jsonrpc.Error
			if !errors.As(err, &rpcErr) || rpcErr.Code != tt.wantCode {
				t.Errorf("%s: Serve = %s, %v; want code %d", tt.method, encode(resp), err, tt.wantCode)
			}
			continue
		}
		if err != nil || encode(resp) != tt.want {
			t.Errorf("%s: Serve = %s, %v; want %s", tt.method, encode(resp), err, tt.want)
		}
	}
	if got, want := tr.Providers(), []string{"A"}; !reflect.DeepEqual(got, want) {
		t.Errorf("providers called = %v, want %v (only eth_blockNumber)", got, want)
	}
}
