package httpapi

import (
	"context"
	"net/http"
	"testing"

	"github.com/lasso-serverless/lasso/shared/jsonrpc"
	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/proxy"
)

// benchWriter is a ResponseWriter that keeps nothing but the status, reused
// across iterations so the harness allocates as little as possible.
type benchWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *benchWriter) Header() http.Header         { return w.h }
func (w *benchWriter) WriteHeader(status int)      { w.status = status }
func (w *benchWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

func benchHandler(b *testing.B, pipeline proxy.Handler, body string, wantStatus int) {
	cfg := loadConfig(b, map[string]string{"profiles/public.yml": publicYAML})
	h := New(Options{Config: func() *profile.Config { return cfg }, Pipeline: pipeline, NodeID: "local"})
	payload := []byte(body)
	rb := &reusableBody{}
	req, err := http.NewRequest(http.MethodPost, "http://router.test/rpc/ethereum", rb)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Request-Id", "bench-request-id-000001") // a kept id: no random id per call
	req.ContentLength = int64(len(payload))
	w := &benchWriter{h: http.Header{}}
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		rb.Reset(payload)
		clear(w.h)
		w.status, w.n = 0, 0
		h.ServeHTTP(w, req)
		if w.status != wantStatus {
			b.Fatalf("status %d, want %d", w.status, wantStatus)
		}
	}
}

// BenchmarkHandlerLocal is eth_chainId answered by proxy.Local without a
// provider: the HTTP layer's own cost.
func BenchmarkHandlerLocal(b *testing.B) {
	next := proxy.HandlerFunc(func(context.Context, *proxy.Call) (*jsonrpc.Response, error) {
		b.Fatal("eth_chainId left Local")
		return nil, nil
	})
	benchHandler(b, proxy.Local(next), `{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}`, http.StatusOK)
}

// BenchmarkHandlerForward answers with a passthrough of a parsed upstream
// body, as the forwarder does, without any network.
func BenchmarkHandlerForward(b *testing.B) {
	u, err := jsonrpc.ParseUpstream([]byte(`{"jsonrpc":"2.0","id":"r1","result":"0x14a8f3c"}`), "r1")
	if err != nil {
		b.Fatal(err)
	}
	pipeline := proxy.HandlerFunc(func(_ context.Context, c *proxy.Call) (*jsonrpc.Response, error) {
		c.Meta = proxy.Meta{Provider: "a", Attempts: 1}
		return jsonrpc.Passthrough(c.Request.ID, u), nil
	})
	benchHandler(b, pipeline, `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}`, http.StatusOK)
}
