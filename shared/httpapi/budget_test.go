package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/jsonrpc"
	"github.com/lasso-serverless/lasso/shared/proxy"
)

func TestByteBudget(t *testing.T) {
	b := newByteBudget(64 << 10)
	if c := b.take(0); c != minCharge {
		t.Errorf("take(0): got %d, want the minimum charge %d", c, minCharge)
	}
	if c := b.take(100); c != 4<<10 {
		t.Errorf("take(100): got %d, want 4096", c)
	}
	if c := b.take(minCharge + 1); c != minCharge+1 {
		t.Errorf("take(4097): got %d, want 4097", c)
	}
	if got := b.used.Load(); got != 3*minCharge+1 {
		t.Errorf("used: got %d, want %d", got, 3*minCharge+1)
	}
	b.give(minCharge + 1)
	b.give(minCharge)
	b.give(minCharge)
	if got := b.used.Load(); got != 0 {
		t.Errorf("used after giving everything back: got %d, want 0", got)
	}

	// Up to the limit exactly is allowed; one byte more is refused and
	// leaves used unchanged.
	full := b.take(64 << 10)
	if full != 64<<10 {
		t.Fatalf("take(limit): got %d, want %d", full, 64<<10)
	}
	if c := b.take(1); c != 0 {
		t.Errorf("take(1) on a full budget: got %d, want 0", c)
	}
	if got := b.used.Load(); got != 64<<10 {
		t.Errorf("used after a refusal: got %d, want %d", got, 64<<10)
	}
	b.give(full)
	if c := b.take(64<<10 + 1); c != 0 {
		t.Errorf("take(limit+1) on an empty budget: got %d, want 0", c)
	}
	if got := b.used.Load(); got != 0 {
		t.Errorf("used after refusing an oversized take: got %d, want 0", got)
	}

	// A budget below the minimum charge refuses everything.
	tiny := newByteBudget(minCharge - 1)
	if c := tiny.take(1); c != 0 || tiny.used.Load() != 0 {
		t.Errorf("take on a budget below the minimum charge: got %d, used %d; want 0, 0", c, tiny.used.Load())
	}
}

func TestByteBudgetConcurrent(t *testing.T) {
	b := newByteBudget(100 * minCharge)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 1000 {
				if c := b.take(10); c != 0 {
					if u := b.used.Load(); u > b.limit+minCharge*16 {
						t.Errorf("used %d far above limit %d", u, b.limit)
					}
					b.give(c)
				}
			}
		})
	}
	wg.Wait()
	if got := b.used.Load(); got != 0 {
		t.Errorf("used after balanced take/give: got %d, want 0", got)
	}
}

// holdBody is a call of about 28 KB: two fit in a 64 KiB budget with room
// for two minimum charges; a third does not.
func holdBody(method string) string {
	return `{"jsonrpc":"2.0","id":1,"method":"` + method + `","params":["` + strings.Repeat("a", 28000) + `"]}`
}

func TestInflightBudget(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	t.Cleanup(free) // never leave held requests behind on a failure
	entered := make(chan struct{}, 8)
	r := newRig(t, func(o *Options) { o.InflightBytes = 64 << 10 })
	r.pipe.serve = func(ctx context.Context, c *proxy.Call) (*jsonrpc.Response, error) {
		if c.Request.Method == "eth_hold" {
			entered <- struct{}{}
			<-release
		}
		return jsonrpc.NewResult(c.Request.ID, json.RawMessage(`"ok"`)), nil
	}
	hold := holdBody("eth_hold")
	if 2*len(hold)+2*minCharge > 64<<10 || 3*len(hold) <= 64<<10 {
		t.Fatalf("holdBody is %d bytes; the test's arithmetic needs another size", len(hold))
	}

	var wg sync.WaitGroup
	held := make([]*httptest.ResponseRecorder, 2)
	for i := range held {
		wg.Go(func() { held[i] = r.post("/rpc/eth", hold) })
	}
	for range held {
		select {
		case <-entered:
		case <-time.After(10 * time.Second):
			t.Fatal("held requests did not reach the pipeline")
		}
	}
	if got, want := r.h.budget.used.Load(), int64(2*len(hold)); got != want {
		t.Errorf("used while two requests are held: got %d, want %d", got, want)
	}

	// A third large body does not fit: refused before the pipeline.
	calls := len(r.pipe.Calls())
	w := r.post("/rpc/eth", holdBody("eth_blockNumber"), "X-Request-Id", "capacity-refused-0001")
	wantRPCError(t, w, http.StatusServiceUnavailable, -32008, "Local request byte capacity unavailable")
	if n := len(r.pipe.Calls()); n != calls {
		t.Errorf("a refused request reached the pipeline")
	}
	if got := w.Header().Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("503 without CORS header")
	}
	// A small body still fits in what is left, and gives its charge back.
	w = r.post("/rpc/eth", blockNumber)
	if w.Code != http.StatusOK {
		t.Errorf("small request beside the held ones: got %d %s, want 200", w.Code, w.Body)
	}
	if got, want := r.h.budget.used.Load(), int64(2*len(hold)); got != want {
		t.Errorf("used after the small request: got %d, want %d", got, want)
	}

	free()
	wg.Wait()
	for i, w := range held {
		if w.Code != http.StatusOK {
			t.Errorf("held request %d: got %d %s, want 200", i, w.Code, w.Body)
		}
	}
	if got := r.h.budget.used.Load(); got != 0 {
		t.Errorf("used after release: got %d, want 0", got)
	}
	// The budget is whole again: a large request succeeds.
	if w := r.post("/rpc/eth", holdBody("eth_blockNumber")); w.Code != http.StatusOK {
		t.Errorf("large request after release: got %d %s, want 200", w.Code, w.Body)
	}

	var refused []map[string]any
	for _, l := range withMsg(r.logs.lines(t), "rpc rejected") {
		if l["request_id"] == "capacity-refused-0001" {
			refused = append(refused, l)
		}
	}
	if len(refused) != 1 || refused[0]["status"] != 503.0 || refused[0]["code"] != -32008.0 {
		t.Errorf("rejected log lines for the refused request: %v", refused)
	}
}

// Every way a request can end returns its charge, errors included.
func TestInflightBudgetReturnedOnErrors(t *testing.T) {
	r := newRig(t, func(o *Options) { o.InflightBytes = 64 << 10 })
	r.pipe.serve = func(_ context.Context, c *proxy.Call) (*jsonrpc.Response, error) {
		return nil, proxy.ErrTimeout
	}
	for _, tc := range []struct{ target, body string }{
		{"/rpc/eth", blockNumber},     // pipeline error
		{"/rpc/eth", `{`},             // parse error
		{"/rpc/nochain", blockNumber}, // route error after the body was read
		{"/rpc/eth", `[]`},            // empty batch
		{"/rpc/eth", `{"jsonrpc":"2.0","method":"eth_notify"}`},
	} {
		r.post(tc.target, tc.body)
		if got := r.h.budget.used.Load(); got != 0 {
			t.Errorf("%s %s: used %d afterwards, want 0", tc.target, tc.body, got)
		}
	}
}

// countingBody counts the bytes the handler reads from it.
type countingBody struct {
	r    io.Reader
	read atomic.Int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read.Add(int64(n))
	return n, err
}

func (c *countingBody) Close() error { return nil }

// A declared body that can never fit the budget must be refused before it is
// read: otherwise the budget bounds only bodies already in memory, and any
// number of concurrent large uploads are read (and, since bodies with a
// Content-Length are allocated at their declared size up front, allocated)
// before any is refused.
func TestInflightBudgetChargedBeforeRead(t *testing.T) {
	const declared = 1 << 20 // within MaxBodyBytes, far beyond InflightBytes
	r := newRig(t, func(o *Options) { o.InflightBytes = 64 << 10 })

	t.Run("full body", func(t *testing.T) {
		body := blockNumber + strings.Repeat(" ", declared-len(blockNumber))
		cb := &countingBody{r: strings.NewReader(body)}
		req := httptest.NewRequest(http.MethodPost, "/rpc/eth", cb)
		req.ContentLength = declared
		req.Header.Set("Content-Type", "application/json")
		w := serve(r.h, req)
		wantRPCError(t, w, http.StatusServiceUnavailable, -32008, "Local request byte capacity unavailable")
		if n := cb.read.Load(); n != 0 {
			t.Errorf("read %d body bytes before refusing; want the declared %d bytes refused unread", n, declared)
		}
	})

	t.Run("stalled body", func(t *testing.T) {
		// A client that declares 4 MB and sends 10 bytes: the handler should
		// not hold (or allocate) megabytes for it outside the budget.
		const big = 4 << 20
		cb := &countingBody{r: strings.NewReader(`{"jsonrpc"`)}
		req := httptest.NewRequest(http.MethodPost, "/rpc/eth", cb)
		req.ContentLength = big
		req.Header.Set("Content-Type", "application/json")
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		w := serve(r.h, req)
		runtime.ReadMemStats(&after)
		if w.Code != http.StatusServiceUnavailable {
			t.Errorf("status %d, want 503 (refused on the declared length)", w.Code)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
			t.Errorf("allocated %d bytes for a 10-byte body declared as %d; want the budget to refuse it first", alloc, big)
		}
	})
}
