package app_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkInProcess measures the router's own path: a client request
// through the handler (decode, resolve, plan, forward over a pooled loopback
// connection, validate, splice the id) to an httptest provider and back.
func BenchmarkInProcess(b *testing.B) {
	const body = `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}`
	cases := []struct {
		name, body string
	}{
		{"single", body},
		{"batch10", "[" + strings.TrimSuffix(strings.Repeat(body+",", 10), ",") + "]"},
		{"local_chainId", `{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}`},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			r := newRig(b, nil, testProvider{id: "a", priority: 1, behave: ok(`"0x12a05f2"`)})
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/rpc/ethereum", strings.NewReader(c.body))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				r.handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

// BenchmarkProviderOnly is the floor: the same provider called directly, so
// the router's overhead is the difference.
func BenchmarkProviderOnly(b *testing.B) {
	r := newRig(b, nil, testProvider{id: "a", priority: 1, behave: ok(`"0x12a05f2"`)})
	url := r.provider["a"].URL()
	client := &http.Client{}
	b.ReportAllocs()
	for b.Loop() {
		resp, err := client.Post(url, "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":"lasso-1","method":"eth_blockNumber","params":[]}`))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}
