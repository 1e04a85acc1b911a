package proxy_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/jsonrpc"
	"github.com/lasso-serverless/lasso/shared/proxy"
)

// gauge counts calls in flight and remembers the peak.
type gauge struct {
	now, peak, done atomic.Int64
}

func (g *gauge) enter() {
	n := g.now.Add(1)
	for {
		p := g.peak.Load()
		if n <= p || g.peak.CompareAndSwap(p, n) {
			return
		}
	}
}

func (g *gauge) leave() {
	g.now.Add(-1)
	g.done.Add(1)
}

func batchCalls(n int) []*proxy.Call {
	calls := make([]*proxy.Call, n)
	for i := range calls {
		calls[i] = call("eth_blockNumber", fmt.Sprint(i), `[]`)
	}
	return calls
}

func TestServeAll(t *testing.T) {
	tests := []struct {
		name     string
		calls    int
		limit    int
		wantPeak int64 // upper bound on calls in flight
	}{
		{name: "empty", calls: 0, limit: 4, wantPeak: 0},
		{name: "one call", calls: 1, limit: 4, wantPeak: 1},
		{name: "fewer calls than the limit", calls: 3, limit: 8, wantPeak: 3},
		{name: "limit 4 of 20", calls: 20, limit: 4, wantPeak: 4},
		{name: "limit 1 is sequential", calls: 6, limit: 1, wantPeak: 1},
		{name: "limit 0 means 1", calls: 5, limit: 0, wantPeak: 1},
		{name: "negative limit means 1", calls: 5, limit: -3, wantPeak: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var g gauge
			errOdd := errors.New("odd call")
			h := proxy.HandlerFunc(func(ctx context.Context, c *proxy.Call) (*jsonrpc.Response, error) {
				g.enter()
				defer g.leave()
				var i int
				_ = json.Unmarshal(c.Request.ID, &i)
				// Later calls finish first, so order cannot come from timing.
				time.Sleep(time.Duration(tt.calls-i) * time.Millisecond)
				if i%2 == 1 {
					return nil, fmt.Errorf("call %d: %w", i, errOdd)
				}
				return jsonrpc.NewResult(c.Request.ID, json.RawMessage(fmt.Sprintf(`"r%d"`, i))), nil
			})
			results := proxy.ServeAll(context.Background(), h, batchCalls(tt.calls), tt.limit)
			if got := g.done.Load(); got != int64(tt.calls) {
				t.Errorf("handlers finished on return = %d, want %d", got, tt.calls)
			}
			if got := g.now.Load(); got != 0 {
				t.Errorf("handlers still running on return = %d, want 0", got)
			}
			if got := g.peak.Load(); got > tt.wantPeak {
				t.Errorf("peak in flight = %d, want at most %d", got, tt.wantPeak)
			}
			if len(results) != tt.calls {
				t.Fatalf("results = %d, want %d", len(results), tt.calls)
			}
			for i, r := range results {
				if i%2 == 1 {
					if r.Resp != nil || !errors.Is(r.Err, errOdd) || r.Err.Error() != fmt.Sprintf("call %d: odd call", i) {
						t.Errorf("results[%d] = {%s, %v}, want {nil, call %d: odd call}", i, encode(r.Resp), r.Err, i)
					}
					continue
				}
				want := fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"result":"r%d"}`, i, i)
				if r.Err != nil || encode(r.Resp) != want {
					t.Errorf("results[%d] = {%s, %v}, want {%s, nil}", i, encode(r.Resp), r.Err, want)
				}
			}
		})
	}
}

// The limit is reached, not just respected: calls do run concurrently.
func TestServeAllRunsConcurrently(t *testing.T) {
	const limit = 4
	var g gauge
	release := make(chan struct{})
	h := proxy.HandlerFunc(func(ctx context.Context, c *proxy.Call) (*jsonrpc.Response, error) {
		g.enter()
		defer g.leave()
		<-release
		return jsonrpc.NewResult(c.Request.ID, json.RawMessage(`1`)), nil
	})
	done := make(chan []proxy.Result)
	go func() { done <- proxy.ServeAll(context.Background(), h, batchCalls(10), limit) }()
	// Wait (without a wall-clock assertion) until limit calls are in flight.
	for g.now.Load() < limit {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(5 * time.Millisecond) // give an over-limit goroutine a chance to show up
	if got := g.now.Load(); got != limit {
		t.Errorf("in flight with all handlers blocked = %d, want %d", got, limit)
	}
	close(release)
	results := <-done
	if got := g.peak.Load(); got != limit {
		t.Errorf("peak in flight = %d, want %d", got, limit)
	}
	for i, r := range results {
		if r.Err != nil || string(r.Resp.ID) != fmt.Sprint(i) {
			t.Errorf("results[%d] = {%s, %v}, want id %d", i, encode(r.Resp), r.Err, i)
		}
	}
}

// A cancelled batch still waits for every call it started.
func TestServeAllCancelledContextWaits(t *testing.T) {
	var g gauge
	h := proxy.HandlerFunc(func(ctx context.Context, c *proxy.Call) (*jsonrpc.Response, error) {
		g.enter()
		defer g.leave()
		<-ctx.Done()
		time.Sleep(2 * time.Millisecond)
		return nil, ctx.Err()
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	results := proxy.ServeAll(ctx, h, batchCalls(8), 3)
	if got := g.done.Load(); got != 8 {
		t.Errorf("handlers finished on return = %d, want 8", got)
	}
	for i, r := range results {
		if !errors.Is(r.Err, context.Canceled) {
			t.Errorf("results[%d].Err = %v, want context.Canceled", i, r.Err)
		}
	}
}
