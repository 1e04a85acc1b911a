package app_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/rpcclient/providertest"
)

// Helpers of the routing scenarios (reference section 9, 13 to 30).

// fakeClock is the router's clock in tests: breakers, evidence and rate
// limits read it, and only the test moves it. Deadlines stay on real time.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Requests and scripted answers used throughout.
const (
	blockNumber = `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`
	// revertData is an ABI-encoded Error("Ownable: caller is not the owner").
	revertData = `"0x08c379a0` +
		`0000000000000000000000000000000000000000000000000000000000000020` +
		`0000000000000000000000000000000000000000000000000000000000000020` +
		`4f776e61626c653a2063616c6c6572206973206e6f7420746865206f776e6572"`
)

func call(method, params string) string {
	return `{"jsonrpc":"2.0","id":1,"method":"` + method + `","params":` + params + `}`
}

var (
	headerNotFound = providertest.RPCError(-32000, "header not found", "")
	rateLimited    = providertest.RPCError(-32005, "rate limit exceeded", "")
	serverDown     = providertest.Status(503, "service unavailable")
)

// result returns a success response's result, failing the test on an error.
func (rp reply) result(t testing.TB) any {
	t.Helper()
	m := rp.object(t)
	res, ok := m["result"]
	if !ok {
		t.Fatalf("response %s has no result", rp.body)
	}
	return res
}

// rpcErr returns the error object of a single response.
func (rp reply) rpcErr(t testing.TB) map[string]any {
	t.Helper()
	e, ok := rp.object(t)["error"].(map[string]any)
	if !ok {
		t.Fatalf("response %s has no error", rp.body)
	}
	return e
}

// lassoMeta returns the body's lasso_meta object.
func (rp reply) lassoMeta(t testing.TB) map[string]any {
	t.Helper()
	m, ok := rp.object(t)["lasso_meta"].(map[string]any)
	if !ok {
		t.Fatalf("response %s has no lasso_meta object", rp.body)
	}
	return m
}

// headerMeta decodes the x-lasso-meta header: base64url without padding.
func (rp reply) headerMeta(t testing.TB) map[string]any {
	t.Helper()
	enc := rp.header.Get("X-Lasso-Meta")
	if enc == "" {
		t.Fatalf("no x-lasso-meta header (headers %v)", rp.header)
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		t.Fatalf("x-lasso-meta %q is not unpadded base64url: %v", enc, err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("x-lasso-meta %s is not a JSON object: %v", raw, err)
	}
	return m
}

// selectedID is lasso_meta's selected_provider.id ("" when absent).
func selectedID(m map[string]any) string {
	sel, _ := m["selected_provider"].(map[string]any)
	id, _ := sel["id"].(string)
	return id
}

// candidates is lasso_meta's candidate_providers.
func candidates(m map[string]any) []string {
	var out []string
	list, _ := m["candidate_providers"].([]any)
	for _, c := range list {
		s, _ := c.(string)
		out = append(out, s)
	}
	return out
}

func sameStrings(got, want []string) bool { return slices.Equal(got, want) }

// count is how many requests a scripted provider received.
func (r *rig) count(id string) int { return r.provider[id].Count() }

// counts are the request counts of the named providers, in order.
func (r *rig) counts(ids ...string) []int {
	out := make([]int, len(ids))
	for i, id := range ids {
		out[i] = r.count(id)
	}
	return out
}

// rawUpstream is an upstream the scripted providers cannot play: response
// headers (Retry-After), a connection dropped after the request arrived.
type rawUpstream struct {
	srv *httptest.Server
	n   atomic.Int64
}

func newRawUpstream(t testing.TB, h http.HandlerFunc) *rawUpstream {
	t.Helper()
	u := &rawUpstream{}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.n.Add(1)
		h(w, r)
	}))
	t.Cleanup(func() {
		u.srv.CloseClientConnections()
		u.srv.Close()
	})
	return u
}

func (u *rawUpstream) URL() string  { return u.srv.URL }
func (u *rawUpstream) Count() int64 { return u.n.Load() }

// dropConnection reads the request, then closes the connection unanswered:
// a network error after the request was sent.
func dropConnection(w http.ResponseWriter, r *http.Request) {
	_, _ = io.ReadAll(r.Body)
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("response writer cannot hijack")
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

// tooManyRequests answers HTTP 429, with a Retry-After header when given.
func tooManyRequests(retryAfter string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte("Too Many Requests"))
	}
}

// gate is a provider Behaviour whose first call blocks until released (after
// signalling that it started); later calls answer at once. It blocks inside
// the provider: the test never sleeps.
type gate struct {
	started chan struct{}
	release chan struct{}
	once    sync.Once
	calls   atomic.Int64
	answer  providertest.Behaviour
}

func newGate(answer providertest.Behaviour) *gate {
	return &gate{started: make(chan struct{}), release: make(chan struct{}), answer: answer}
}

// open releases the blocked call; tests also register it as a cleanup, so a
// failing test never leaves a provider handler blocked.
func (g *gate) open() { g.once.Do(func() { close(g.release) }) }

func (g *gate) behave(rc providertest.Received) (int, []byte) {
	if g.calls.Add(1) == 1 {
		close(g.started)
		<-g.release
	}
	return g.answer(rc)
}

// waitFor waits for ch, failing the test after a generous real-time guard
// (the guard only bounds a broken test; nothing waits for time to pass).
func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}
