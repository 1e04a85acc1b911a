package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/jsonrpc"
	"github.com/lasso-serverless/lasso/shared/proxy"
)

func TestToWire(t *testing.T) {
	providerErr := &jsonrpc.Error{Code: 3, Message: "execution reverted", Data: json.RawMessage(`"0x08c379a0"`)}
	upstreamRPC := &jsonrpc.Error{Code: -32601, Message: "the method does not exist"}
	tests := []struct {
		name   string
		err    error
		method string
		status int
		code   int
		msg    string
		data   string // JSON of Data; "" means nil
		same   *jsonrpc.Error
	}{
		{"parse", jsonrpc.ErrParse, "", 400, -32700, "Parse error: Invalid JSON", "", nil},
		{"empty batch", jsonrpc.ErrEmptyBatch, "", 200, -32600, "Invalid Request", "", nil},
		{"batch too large", jsonrpc.ErrBatchTooLarge, "", 200, -32600, "Invalid Request: batch too large", "", nil},
		{"body too large", errBodyTooLarge, "", 413, -32600, "Invalid Request: request body too large", "", nil},
		{"capacity", errCapacity, "", 503, -32008, "Local request byte capacity unavailable", "", nil},
		{"content type", errContentType, "", 415, -32600, "Invalid Request: Content-Type must be application/json", "", nil},
		{"method", errMethod, "", 405, -32600, "Invalid Request: use POST", "", nil},
		{"bad path", errBadPath, "", 404, -32600, "Invalid Request: unknown path", "", nil},
		{"empty profile", errEmptyProfile, "", 400, -32602, "Invalid params: profile must not be empty", "", nil},
		{"unknown profile", &unknownProfileError{profile: "nope"}, "", 404, -32000, "Profile 'nope' not found", `{"error_type":"profile_not_found"}`, nil},
		{"unknown chain", &unknownChainError{chain: "zk", profile: "team"}, "", 400, -32602, "Unsupported chain: Unknown chain 'zk' in profile 'team'", "", nil},
		{"unknown provider", &unknownProviderError{provider: "zz"}, "", 400, -32602, "Unsupported chain: Provider 'zz' is not configured for this chain", "", nil},
		{"rpc error passthrough", providerErr, "eth_call", 200, 3, "execution reverted", `"0x08c379a0"`, providerErr},
		{"rate limited", &proxy.RateLimitError{}, "eth_call", 200, -32005, "Rate limited by provider", "", nil},
		{"rate limited retry", &proxy.RateLimitError{RetryAfter: 1500 * time.Millisecond}, "eth_call", 200, -32005, "Rate limited by provider", `{"retry_after_ms":1500}`, nil},
		{"status with rpc", &proxy.StatusError{Status: 400, RPC: upstreamRPC}, "eth_call", 200, -32601, "the method does not exist", "", upstreamRPC},
		{"status 5xx", &proxy.StatusError{Status: 502}, "eth_call", 200, -32002, "Server error", `{"status":502}`, nil},
		{"status 4xx", &proxy.StatusError{Status: 403}, "eth_call", 200, -32002, "Provider infrastructure error (HTTP 403)", `{"status":403}`, nil},
		{"timeout", proxy.ErrTimeout, "eth_call", 200, -32007, "Request timeout", "", nil},
		{"deadline exhausted", proxy.ErrDeadlineExhausted, "eth_call", 200, -32000, "Request deadline exhausted", "", nil},
		{"indeterminate", proxy.ErrIndeterminate, "eth_sendRawTransaction", 200, -32000, "Upstream dispatch outcome is indeterminate", "", nil},
		{"canceled", proxy.ErrCanceled, "eth_call", 200, -32000, "Request caller abandoned execution", "", nil},
		{"invalid upstream", jsonrpc.ErrInvalidUpstream, "eth_call", 200, -32000, "Invalid upstream response", "", nil},
		{"network", proxy.ErrNetwork, "eth_call", 200, -32004, "Network error", "", nil},
		{"not sent", proxy.ErrNotSent, "eth_call", 200, -32004, "Network error", "", nil},
		{"network and not sent", fmt.Errorf("%w: %w", proxy.ErrNetwork, proxy.ErrNotSent), "eth_call", 200, -32004, "Network error", "", nil},
		{"no providers", proxy.ErrNoProviders, "eth_getLogs", 200, -32000, "No available channels for method: eth_getLogs", "", nil},
		{"unknown", errors.New("dial tcp 10.1.2.3:443: SECRETDETAIL"), "eth_call", 200, -32603, "Internal error", "", nil},
		{"context canceled", fmt.Errorf("read: %w", errors.New("context canceled")), "eth_call", 200, -32603, "Internal error", "", nil},
	}
	check := func(t *testing.T, tt int, status int, e *jsonrpc.Error) {
		t.Helper()
		c := tests[tt]
		if status != c.status {
			t.Errorf("status: got %d, want %d", status, c.status)
		}
		if e == nil {
			t.Fatal("got nil *jsonrpc.Error")
		}
		if e.Code != c.code || e.Message != c.msg {
			t.Errorf("got %d %q, want %d %q", e.Code, e.Message, c.code, c.msg)
		}
		var data string
		if e.Data != nil {
			b, mErr := json.Marshal(e.Data)
			if mErr != nil {
				t.Fatal(mErr)
			}
			data = string(b)
		}
		if data != c.data {
			t.Errorf("data: got %s, want %s", data, c.data)
		}
		if c.same != nil && e != c.same {
			t.Errorf("got a new error object %+v, want the original passed through", e)
		}
		if strings.Contains(e.Message, "SECRETDETAIL") || strings.Contains(data, "SECRETDETAIL") {
			t.Errorf("internal error text leaked to the client: %+v", e)
		}
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, e := toWire(tt.err, tt.method)
			check(t, i, status, e)
		})
		t.Run(tt.name+"/wrapped", func(t *testing.T) {
			wrapped := fmt.Errorf("attempt 2 of 3 via provider b: %w", tt.err)
			status, e := toWire(wrapped, tt.method)
			check(t, i, status, e)
		})
	}
}

// The pipeline's failures travel as HTTP 200 with the mapped error and the
// request's id; the client never sees the cause's text.
func TestPipelineErrorOnTheWire(t *testing.T) {
	r := newRig(t, nil)
	r.pipe.serve = func(_ context.Context, c *proxy.Call) (*jsonrpc.Response, error) {
		return nil, fmt.Errorf("provider https://a.example/v2/PROVIDERKEY: %w", errors.New("tls: SECRETDETAIL"))
	}
	w := r.post("/rpc/eth", `{"jsonrpc":"2.0","id":"abc","method":"eth_call","params":[]}`)
	resp := wantRPCError(t, w, http.StatusOK, -32603, "Internal error")
	if string(resp.ID) != `"abc"` {
		t.Errorf("id: got %s, want \"abc\"", resp.ID)
	}
	for _, leak := range []string{"SECRETDETAIL", "PROVIDERKEY", "a.example"} {
		if strings.Contains(w.Body.String(), leak) {
			t.Errorf("response leaks %q: %s", leak, w.Body)
		}
	}

	r.pipe.serve = func(_ context.Context, c *proxy.Call) (*jsonrpc.Response, error) {
		return nil, proxy.ErrNoProviders
	}
	w = r.post("/rpc/eth", `{"jsonrpc":"2.0","id":7,"method":"eth_getBalance","params":[]}`)
	wantRPCError(t, w, http.StatusOK, -32000, "No available channels for method: eth_getBalance")
}
