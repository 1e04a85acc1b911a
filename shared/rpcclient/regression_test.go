package rpcclient

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/profile"
)

// Regression tests for bugs found by review: each pins the contract.

// A huge Retry-After is capped, never a negative or wrapped duration.
func TestRegressionRetryAfterOverflow(t *testing.T) {
	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	tests := []struct {
		in      string
		atLeast time.Duration // the answer must be a real wait of at least this
	}{
		{in: "9223372037", atLeast: 24 * time.Hour},
		{in: "10000000000", atLeast: 24 * time.Hour},
		{in: "18446744074", atLeast: 24 * time.Hour}, // wraps to a small positive value
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := retryAfter(tt.in, now); got < tt.atLeast {
				t.Errorf("retryAfter(%q): got %v (%d ns), want a large positive (capped) duration", tt.in, got, int64(got))
			}
		})
	}
}

// A profile's headers: {Host: ...} reaches the provider (net/http ignores a
// Host entry in Request.Header, so Send sets Request.Host).
func TestRegressionHostHeaderDropped(t *testing.T) {
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		got <- r.Host
	}))
	defer srv.Close()
	c := newClient(t, Options{})
	p := newProvider(srv.URL, append(append([]profile.Header(nil), standardHeaders...), profile.Header{Name: "host", Value: "rpc.example.com"})...)
	if _, err := c.Send(context.Background(), p, []byte(rpcBody)); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if h := <-got; h != "rpc.example.com" {
		t.Errorf("Host: got %q, want %q", h, "rpc.example.com")
	}
}
