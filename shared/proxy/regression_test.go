package proxy_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/proxy"
)

// Regression tests for bugs found by review: each pins the contract.

// A provider that never completes the connection (the transport reports
// ErrNotSent wrapping context.DeadlineExceeded) ran out of time just like one
// that never answered: the call fails with ErrTimeout (-32007), not a
// network error.
func TestRegressionConnectTimeoutIsNotATimeout(t *testing.T) {
	for _, plan := range [][]string{{"A"}, {"A", "B"}} {
		tr := newTransport(t, map[string][]step{"A": {hangNotSent()}, "B": {hangNotSent()}})
		opts := proxy.Options{Timeout: fixedTimeout(100 * time.Millisecond)}
		_, err := serve(context.Background(), tr, plan, opts, call("eth_blockNumber", `1`, `[]`))
		if !errors.Is(err, proxy.ErrTimeout) {
			t.Errorf("plan %v, every connect hangs: error = %v, want ErrTimeout", plan, err)
		}
	}
}
