package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/lasso-serverless/lasso/shared/jsonrpc"
	"github.com/lasso-serverless/lasso/shared/proxy"
)

// A pipeline that answers (nil, nil) is broken, but the handler must not
// panic on it: a panic aborts the connection (net/http) or the invocation
// (Lambda) and loses every other answer of a batch.
func TestPipelineNilResponse(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{"call", `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`},
		{"batch", `[{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"},{"jsonrpc":"2.0","id":2,"method":"eth_ok"}]`},
		{"notification", `{"jsonrpc":"2.0","method":"eth_blockNumber"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, nil)
			r.pipe.serve = func(_ context.Context, c *proxy.Call) (*jsonrpc.Response, error) {
				if c.Request.Method == "eth_ok" {
					return jsonrpc.NewResult(c.Request.ID, json.RawMessage(`"0x1"`)), nil
				}
				return nil, nil
			}
			var w interface{ Result() *http.Response }
			func() {
				defer func() {
					if v := recover(); v != nil {
						t.Fatalf("handler panicked on a (nil, nil) answer: %v", v)
					}
				}()
				w = r.post("/rpc/eth", tt.body)
			}()
			rec := w.Result()
			switch tt.name {
			case "notification":
				if rec.StatusCode != http.StatusNoContent {
					t.Errorf("status %d, want 204", rec.StatusCode)
				}
			case "call":
				if rec.StatusCode != http.StatusOK {
					t.Errorf("status %d, want 200", rec.StatusCode)
				}
				var resp wireResp
				if err := json.NewDecoder(rec.Body).Decode(&resp); err != nil || string(resp.ID) != "1" || resp.Error == nil {
					t.Errorf("got %+v (%v), want a JSON-RPC error for id 1", resp, err)
				}
			case "batch":
				var rs []wireResp
				if err := json.NewDecoder(rec.Body).Decode(&rs); err != nil || len(rs) != 2 || rs[0].Error == nil || string(rs[1].Result) != `"0x1"` {
					t.Errorf("got %+v (%v), want an error for id 1 and the answer for id 2", rs, err)
				}
			}
		})
	}
}
