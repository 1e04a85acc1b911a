package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/jsonrpc"
	"github.com/lasso-serverless/lasso/shared/proxy"
)

// servedBy answers like a forwarder that tried b, then a: 40 ms on the
// clock, 12.5 ms of it upstream.
func servedBy(r *rig) func(context.Context, *proxy.Call) (*jsonrpc.Response, error) {
	return func(_ context.Context, c *proxy.Call) (*jsonrpc.Response, error) {
		r.clock.Advance(40 * time.Millisecond)
		c.Meta = proxy.Meta{Provider: "a", Attempts: 2, Retries: 1, Upstream: 12500 * time.Microsecond}
		switch c.Request.Method {
		case "eth_timeout":
			return nil, fmt.Errorf("attempt 2: %w", proxy.ErrTimeout)
		case "eth_reverted":
			return jsonrpc.NewErrorResponse(c.Request.ID, jsonrpc.NewError(3, "execution reverted")), nil
		}
		return jsonrpc.NewResult(c.Request.ID, json.RawMessage(`"0x10"`)), nil
	}
}

func wantFields(t *testing.T, line map[string]any, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if got, ok := line[k]; !ok || got != v {
			t.Errorf("log field %q: got %v (present %v), want %v; line %v", k, got, ok, v, line)
		}
	}
}

func wantAbsent(t *testing.T, line map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if v, ok := line[k]; ok {
			t.Errorf("log field %q: got %v, want absent; line %v", k, v, line)
		}
	}
}

func TestLogCall(t *testing.T) {
	r := newRig(t, nil)
	r.pipe.serve = servedBy(r)
	r.post("/rpc/profile/team/ethereum", `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`, "X-Request-Id", "log-request-id-000001")
	lines := r.logs.lines(t)
	if len(lines) != 1 {
		t.Fatalf("got %d log lines, want 1: %v", len(lines), lines)
	}
	wantFields(t, lines[0], map[string]any{
		"msg": "rpc", "level": "INFO",
		"request_id": "log-request-id-000001", "profile": "team", "chain": "ethereum",
		"method": "eth_blockNumber", "provider": "a", "status": 200.0,
		"latency_ms": 40.0, "upstream_ms": 12.5, "attempts": 2.0, "retries": 1.0,
	})
	wantAbsent(t, lines[0], "code", "error", "batch", "local")
}

func TestLogCallFailed(t *testing.T) {
	r := newRig(t, nil)
	r.pipe.serve = servedBy(r)
	r.post("/rpc/eth", `{"jsonrpc":"2.0","id":1,"method":"eth_timeout"}`)
	lines := withMsg(r.logs.lines(t), "rpc")
	if len(lines) != 1 {
		t.Fatalf("got %d rpc lines, want 1", len(lines))
	}
	wantFields(t, lines[0], map[string]any{
		"level": "WARN", "method": "eth_timeout", "provider": "a", "code": -32007.0,
		"error": "attempt 2: request timeout", "attempts": 2.0, "retries": 1.0,
	})

	// A provider's JSON-RPC error is an answer: its code is logged, at info,
	// with no Go error.
	r = newRig(t, nil)
	r.pipe.serve = servedBy(r)
	r.post("/rpc/eth", `{"jsonrpc":"2.0","id":1,"method":"eth_reverted"}`)
	lines = withMsg(r.logs.lines(t), "rpc")
	if len(lines) != 1 {
		t.Fatalf("got %d rpc lines, want 1", len(lines))
	}
	wantFields(t, lines[0], map[string]any{"level": "INFO", "code": 3.0})
	wantAbsent(t, lines[0], "error")
}

func TestLogLocal(t *testing.T) {
	r := newRig(t, nil)
	r.pipe.serve = func(_ context.Context, c *proxy.Call) (*jsonrpc.Response, error) {
		c.Meta.Local = true
		return jsonrpc.NewResult(c.Request.ID, c.Chain.IDHex), nil
	}
	r.post("/rpc/base", `{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`)
	lines := r.logs.lines(t)
	if len(lines) != 1 {
		t.Fatalf("got %d lines, want 1", len(lines))
	}
	wantFields(t, lines[0], map[string]any{"local": true, "provider": "", "attempts": 0.0, "chain": "base"})
}

func TestLogBatch(t *testing.T) {
	r := newRig(t, nil)
	r.pipe.serve = servedBy(r)
	r.post("/rpc/eth", `[
		{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"},
		{"jsonrpc":"2.0","id":2,"method":"eth_timeout"},
		{"jsonrpc":"2.0","id":3},
		{"jsonrpc":"2.0","method":"eth_notify"}
	]`, "X-Request-Id", "log-batch-request-0001")
	lines := r.logs.lines(t)
	rpc := withMsg(lines, "rpc")
	if len(rpc) != len(lines) {
		t.Errorf("got lines other than \"rpc\": %v", lines)
	}
	var methods []string
	for _, l := range rpc {
		methods = append(methods, fmt.Sprint(l["method"]))
		wantFields(t, l, map[string]any{"batch": true, "request_id": "log-batch-request-0001", "profile": "public", "chain": "ethereum"})
	}
	slices.Sort(methods)
	// One line per call that reached the pipeline, notifications included;
	// the invalid member never became a call.
	if want := []string{"eth_blockNumber", "eth_notify", "eth_timeout"}; !slices.Equal(methods, want) {
		t.Errorf("logged methods %v, want %v", methods, want)
	}
}

func TestLogRejected(t *testing.T) {
	tests := []struct {
		name   string
		method string
		target string
		ct     string
		body   string
		path   string
		status float64
		code   float64
	}{
		{"unknown chain", "POST", "/rpc/nochain?key=SECRETCLIENTKEY", "application/json", blockNumber, "/rpc/nochain", 400, -32602},
		{"unknown provider", "POST", "/rpc/eth?provider_override=zz&key=SECRETCLIENTKEY", "application/json", blockNumber, "/rpc/eth", 400, -32602},
		{"parse", "POST", "/rpc/eth?key=SECRETCLIENTKEY", "application/json", "{", "/rpc/eth", 400, -32700},
		{"content type", "POST", "/rpc/eth?key=SECRETCLIENTKEY", "text/plain", blockNumber, "/rpc/eth", 415, -32600},
		{"method", "GET", "/rpc/eth?key=SECRETCLIENTKEY", "application/json", "", "/rpc/eth", 405, -32600},
		{"bad path", "POST", "/rpc/a/b/c?key=SECRETCLIENTKEY", "application/json", blockNumber, "/rpc/a/b/c", 404, -32600},
		{"unknown profile", "POST", "/rpc/profile/nope/eth?key=SECRETCLIENTKEY", "application/json", blockNumber, "/rpc/profile/nope/eth", 404, -32000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, nil)
			w := r.do(tt.method, tt.target, tt.body, "Content-Type", tt.ct, "X-Request-Id", "rejected-request-00001")
			lines := r.logs.lines(t)
			if len(lines) != 1 {
				t.Fatalf("got %d log lines, want 1: %v", len(lines), lines)
			}
			wantFields(t, lines[0], map[string]any{
				"msg": "rpc rejected", "level": "WARN", "request_id": "rejected-request-00001",
				"path": tt.path, "status": tt.status, "code": tt.code,
			})
			if float64(w.Code) != tt.status {
				t.Errorf("HTTP status %d, logged %v", w.Code, tt.status)
			}
			if _, ok := lines[0]["error"]; !ok {
				t.Errorf("rejected line has no error field: %v", lines[0])
			}
			if _, ok := lines[0]["latency_ms"]; !ok {
				t.Errorf("rejected line has no latency_ms field: %v", lines[0])
			}
			if strings.Contains(r.logs.String(), "SECRETCLIENTKEY") {
				t.Errorf("log contains the query string's client key: %s", r.logs)
			}
		})
	}
}

// Health, chains, preflight and 404 write no rpc lines.
func TestLogNothingOutsideRPC(t *testing.T) {
	r := newRig(t, nil)
	r.do(http.MethodGet, "/api/health", "")
	r.do(http.MethodGet, "/api/chains", "")
	r.do(http.MethodOptions, "/rpc/eth", "")
	r.do(http.MethodGet, "/nope", "")
	if s := r.logs.String(); s != "" {
		t.Errorf("got log output %s, want none", s)
	}
}
