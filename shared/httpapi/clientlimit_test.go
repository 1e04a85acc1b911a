package httpapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/jsonrpc"
	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/ratelimit"
)

// limitedYAML allows 100 calls a second, 2 at once; strictYAML is the same
// but fails closed.
const limitedYAML = `---
name: Limited
slug: limited
rps_limit: 100
burst_limit: 2
---
chains:
  ethereum:
    chain_id: 1
    providers:
      - id: a
        url: https://a.example
`

var strictYAML = strings.NewReplacer("Limited", "Strict", "slug: limited", "slug: strict",
	"burst_limit: 2", "burst_limit: 2\nrate_limit_fail_closed: true").Replace(limitedYAML)

// newLimitRig is a rig with the limited and strict profiles and a limiter
// (a Memory on the rig's clock when lim is nil).
func newLimitRig(t *testing.T, lim ratelimit.Limiter, mod func(*Options)) *rig {
	t.Helper()
	cfg := loadConfig(t, map[string]string{
		"p/public.yml": publicYAML, "p/team.yml": teamYAML, "p/limited.yml": limitedYAML, "p/strict.yml": strictYAML,
	})
	return newRig(t, func(o *Options) {
		o.Config = func() *profile.Config { return cfg }
		o.Limiter = lim
		if lim == nil {
			o.Limiter = ratelimit.NewMemory(o.Now)
		}
		if mod != nil {
			mod(o)
		}
	})
}

const call = `{"jsonrpc":"2.0","id":7,"method":"eth_blockNumber","params":[]}`

func batchOf(n int) string {
	return "[" + strings.TrimSuffix(strings.Repeat(call+",", n), ",") + "]"
}

func TestClientIdentity(t *testing.T) {
	tests := []struct {
		name   string
		target string
		hdr    []string
		want   string
	}{
		{"X-Api-Key first", "/rpc/eth?key=q", []string{"X-Api-Key", "xk", "Authorization", "Bearer bk"}, "key:xk"},
		{"then a bearer token", "/rpc/eth?key=q", []string{"Authorization", "Bearer bk"}, "key:bk"},
		{"bearer in any case, trimmed", "/rpc/eth", []string{"Authorization", "bEARER   bk "}, "key:bk"},
		{"then the key parameter", "/rpc/eth?x=1&key=q", []string{"Authorization", "Basic dTpw"}, "key:q"},
		{"blank X-Api-Key is no key", "/rpc/eth", []string{"X-Api-Key", "  ", "Authorization", "Bearer bk"}, "key:bk"},
		{"empty bearer is no key", "/rpc/eth?key=q", []string{"Authorization", "Bearer  "}, "key:q"},
		{"a monkey parameter is no key", "/rpc/eth?monkey=q", nil, "ip:192.0.2.1"},
		{"else the address", "/rpc/eth", nil, "ip:192.0.2.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, tt.target, nil)
			for i := 0; i+1 < len(tt.hdr); i += 2 {
				req.Header.Set(tt.hdr[i], tt.hdr[i+1])
			}
			if got := clientIdentity(req, 0, nil); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestClientIP(t *testing.T) {
	tests := []struct {
		name    string
		remote  string
		xff     []string // one header line each
		trusted int
		want    string
	}{
		{"peer address", "203.0.113.9:4711", nil, 0, "203.0.113.9"},
		{"spoofed XFF ignored with no trusted proxy", "203.0.113.9:4711", []string{"1.1.1.1"}, 0, "203.0.113.9"},
		{"one proxy: the rightmost entry", "10.0.0.2:80", []string{"6.6.6.6, 198.51.100.7"}, 1, "198.51.100.7"},
		{"two proxies: second from the right", "10.0.0.2:80", []string{"6.6.6.6, 198.51.100.7, 10.0.0.1"}, 2, "198.51.100.7"},
		{"entries across header lines", "10.0.0.2:80", []string{"6.6.6.6", "198.51.100.7", "10.0.0.1"}, 2, "198.51.100.7"},
		{"fewer entries than proxies: the leftmost", "10.0.0.2:80", []string{"198.51.100.7"}, 3, "198.51.100.7"},
		{"no XFF behind a proxy: the peer", "10.0.0.2:80", nil, 1, "10.0.0.2"},
		{"an entry that is no address: the peer", "10.0.0.2:80", []string{"198.51.100.7, unknown"}, 1, "10.0.0.2"},
		{"entry with a port", "10.0.0.2:80", []string{"198.51.100.7:5555"}, 1, "198.51.100.7"},
		{"IPv6 entry with brackets and port", "10.0.0.2:80", []string{"[2001:db8:1:2:3::4]:5555"}, 1, "2001:db8:1:2::/64"},
		{"IPv6 grouped by /64", "[2001:db8:a:b:c:d:e:f]:443", nil, 0, "2001:db8:a:b::/64"},
		{"IPv4-mapped IPv6 is IPv4", "[::ffff:192.0.2.5]:443", nil, 0, "192.0.2.5"},
		{"zone dropped", "[fe80::1%eth0]:443", nil, 0, "fe80::/64"},
		{"a peer that is no address is kept as given", "pipe", nil, 0, "pipe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/rpc/eth", nil)
			req.RemoteAddr = tt.remote
			for _, l := range tt.xff {
				req.Header.Add("X-Forwarded-For", l)
			}
			if got := clientIP(req, tt.trusted); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestRateLimitWire pins the refusal byte for byte: status, headers, body.
func TestRateLimitWire(t *testing.T) {
	r := newLimitRig(t, nil, nil)
	for i := range 2 {
		if w := r.post("/rpc/profile/limited/ethereum", call); w.Code != http.StatusOK {
			t.Fatalf("call %d within the burst: status %d %s", i+1, w.Code, w.Body)
		}
	}
	w := r.post("/rpc/profile/limited/ethereum", call)
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("third call: status %d, want 429; body %s", w.Code, w.Body)
	}
	want := `{"jsonrpc":"2.0","id":7,"error":{"code":-32005,"message":"Rate limit exceeded. Limit: 100 requests per second.","data":{"retry_after_ms":10,"rate_limit":100}}}`
	if got := w.Body.String(); got != want {
		t.Errorf("body:\n got %s\nwant %s", got, want)
	}
	for k, v := range map[string]string{
		"Retry-After":                 "1",
		"Content-Type":                "application/json; charset=utf-8",
		"Access-Control-Allow-Origin": "*",
	} {
		if got := w.Header().Get(k); got != v {
			t.Errorf("header %s: got %q, want %q", k, got, v)
		}
	}
	if w.Header().Get("X-Request-Id") == "" {
		t.Error("no X-Request-Id on the refusal")
	}
	if n := len(r.pipe.Calls()); n != 2 {
		t.Errorf("pipeline got %d calls, want the 2 admitted only", n)
	}
	// The refusal spent nothing: one interval (10 ms) later one call goes.
	r.clock.Advance(10 * time.Millisecond)
	if w := r.post("/rpc/profile/limited/ethereum", call); w.Code != http.StatusOK {
		t.Fatalf("after one interval: status %d, want 200", w.Code)
	}
	lines := withMsg(r.logs.lines(t), "rpc rejected")
	if len(lines) != 1 {
		t.Fatalf("got %d rejection log lines, want 1", len(lines))
	}
	wantFields(t, lines[0], map[string]any{"status": float64(429), "code": float64(-32005), "level": "WARN"})
	if e, _ := lines[0]["error"].(string); !strings.Contains(e, "client rate limit exceeded: client ") || !strings.Contains(e, "100/s (burst 2)") {
		t.Errorf("log error %q, want it to name the client by hash and the limit", e)
	}
}

// TestRateLimitPerClientAndProfile: buckets are per (profile, identity).
func TestRateLimitPerClientAndProfile(t *testing.T) {
	r := newLimitRig(t, nil, nil)
	post := func(path string, hdr ...string) int { return r.post(path, call, hdr...).Code }
	key := func(k string) []string { return []string{"X-Api-Key", k} }
	for range 2 {
		post("/rpc/profile/limited/ethereum", key("alice")...)
	}
	if c := post("/rpc/profile/limited/ethereum", key("alice")...); c != 429 {
		t.Fatalf("alice's third call: %d, want 429", c)
	}
	if c := post("/rpc/profile/limited/ethereum", "Authorization", "Bearer alice"); c != 429 {
		t.Errorf("alice by bearer token: %d, want 429 (the same key)", c)
	}
	if c := post("/rpc/profile/limited/ethereum", key("bob")...); c != 200 {
		t.Errorf("bob: %d, want 200", c)
	}
	if c := post("/rpc/profile/limited/ethereum"); c != 200 {
		t.Errorf("no key (the address): %d, want 200", c)
	}
	if c := post("/rpc/profile/strict/ethereum", key("alice")...); c != 200 {
		t.Errorf("alice on another profile: %d, want 200", c)
	}
}

func TestRateLimitBatches(t *testing.T) {
	r := newLimitRig(t, nil, nil)
	const path = "/rpc/profile/limited/ethereum"
	if w := r.post(path, batchOf(2)); w.Code != 200 || len(decodeBatch(t, w)) != 2 {
		t.Fatalf("batch of 2 within burst 2: %d %s", w.Code, w.Body)
	}
	w := r.post(path, call)
	if w.Code != 429 {
		t.Fatalf("single call after a batch of 2: %d, want 429 (each item counts)", w.Code)
	}
	r.clock.Advance(time.Second)

	// A refused batch is one error object with a null id.
	r.post(path, call)
	w = r.post(path, batchOf(2))
	want := `{"jsonrpc":"2.0","id":null,"error":{"code":-32005,"message":"Rate limit exceeded. Limit: 100 requests per second.","data":{"retry_after_ms":10,"rate_limit":100}}}`
	if w.Code != 429 || w.Body.String() != want {
		t.Fatalf("batch of 2 with 1 left: %d %s\nwant 429 %s", w.Code, w.Body, want)
	}
	// All or nothing: the refused batch spent nothing, so one call still goes.
	if w := r.post(path, call); w.Code != 200 {
		t.Fatalf("single call after the refused batch: %d, want 200", w.Code)
	}
	r.clock.Advance(time.Second)

	// Invalid members are answered here and cost nothing.
	w = r.post(path, `[`+call+`,{"jsonrpc":"2.0","id":8},`+call+`,42]`)
	if rs := decodeBatch(t, w); w.Code != 200 || len(rs) != 4 {
		t.Fatalf("batch of 2 calls and 2 invalid members: %d %s", w.Code, w.Body)
	}
	r.clock.Advance(time.Second)

	// More calls than the burst can never go: said so, with no Retry-After.
	w = r.post(path, batchOf(3))
	want = `{"jsonrpc":"2.0","id":null,"error":{"code":-32005,"message":"Rate limit exceeded. Limit: 100 requests per second. A batch of 3 calls exceeds the burst limit of 2.","data":{"rate_limit":100,"burst_limit":2}}}`
	if w.Code != 429 || w.Body.String() != want || w.Header().Get("Retry-After") != "" {
		t.Fatalf("batch of 3 over burst 2: %d Retry-After %q %s\nwant 429, none, %s", w.Code, w.Header().Get("Retry-After"), w.Body, want)
	}
	if w := r.post(path, batchOf(2)); w.Code != 200 {
		t.Fatalf("batch of 2 after the impossible one: %d, want 200", w.Code)
	}
}

// failing is a limiter whose store is down; it records what it was asked.
type failing struct {
	mu       sync.Mutex
	keys     []string
	deadline time.Duration
	calls    int
}

func (f *failing) AllowN(ctx context.Context, key string, _ ratelimit.Limit, _ int) (ratelimit.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	f.keys = append(f.keys, key)
	if d, ok := ctx.Deadline(); ok {
		f.deadline = time.Until(d)
	}
	return ratelimit.Result{}, errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")
}

func TestRateLimiterFailsOpen(t *testing.T) {
	f := &failing{}
	r := newLimitRig(t, f, func(o *Options) { o.LimiterTimeout = 30 * time.Millisecond })
	const secret = "sk_live_SECRET_CLIENT_KEY"
	for i := range 3 {
		if w := r.post("/rpc/profile/limited/ethereum", call, "X-Api-Key", secret); w.Code != 200 {
			t.Fatalf("call %d with the limiter down: %d, want 200 (fail open)", i+1, w.Code)
		}
	}
	if f.deadline <= 0 || f.deadline > 30*time.Millisecond {
		t.Errorf("limiter's deadline %v away, want at most LimiterTimeout (30ms)", f.deadline)
	}
	if want := ratelimit.Key("limited", "key:"+secret); f.keys[0] != want {
		t.Errorf("limiter key %q, want %q", f.keys[0], want)
	}
	lines := withMsg(r.logs.lines(t), "client rate limiter failed")
	if len(lines) != 3 {
		t.Fatalf("got %d limiter failure lines, want one per failure (3)", len(lines))
	}
	for i, l := range lines {
		wantFields(t, l, map[string]any{
			"level": "WARN", "profile": "limited", "fail_closed": false,
			"limiter_errors": float64(i + 1), "client": f.keys[0][len("limited:"):][:12],
			"error": "dial tcp 127.0.0.1:6379: connect: connection refused",
		})
	}
	if strings.Contains(r.logs.String(), secret) {
		t.Error("the client's API key is in the log")
	}
}

func TestRateLimiterFailsClosed(t *testing.T) {
	f := &failing{}
	r := newLimitRig(t, f, nil)
	w := r.post("/rpc/profile/strict/ethereum", call)
	want := `{"jsonrpc":"2.0","id":7,"error":{"code":-32005,"message":"Rate limit exceeded. Limit: 100 requests per second.","data":{"retry_after_ms":1000,"rate_limit":100}}}`
	if w.Code != 429 || w.Body.String() != want || w.Header().Get("Retry-After") != "1" {
		t.Fatalf("fail closed: %d Retry-After %q %s\nwant 429, 1, %s", w.Code, w.Header().Get("Retry-After"), w.Body, want)
	}
	if n := len(r.pipe.Calls()); n != 0 {
		t.Errorf("pipeline got %d calls, want none", n)
	}
	if l := withMsg(r.logs.lines(t), "client rate limiter failed"); len(l) != 1 || l[0]["fail_closed"] != true {
		t.Errorf("limiter failure lines %v, want one with fail_closed true", l)
	}
}

// TestRateLimitOnlyRPC: health, chains, preflight and requests refused
// before a profile is known never touch the limiter.
func TestRateLimitOnlyRPC(t *testing.T) {
	f := &failing{}
	r := newLimitRig(t, f, nil)
	for _, c := range []struct{ method, target, body string }{
		{http.MethodGet, "/api/health", ""},
		{http.MethodGet, "/api/chains", ""},
		{http.MethodOptions, "/rpc/eth", ""},
		{http.MethodPost, "/rpc/profile/nope/eth", call},
		{http.MethodPost, "/rpc/eth", "{not json"},
		{http.MethodPost, "/rpc/eth", `{"jsonrpc":"2.0","id":1}`}, // one invalid call: answered here
	} {
		hdr := []string{"Content-Type", "application/json"}
		if w := r.do(c.method, c.target, c.body, hdr...); w.Code == 429 {
			t.Errorf("%s %s: 429", c.method, c.target)
		}
	}
	if f.calls != 0 {
		t.Errorf("limiter called %d times, want never", f.calls)
	}
}

func TestNoLimiterNoLimits(t *testing.T) {
	r := newRig(t, nil)
	for i := range 600 { // past the default burst of 500
		if w := r.post("/rpc/eth", call); w.Code != 200 {
			t.Fatalf("call %d without a limiter: %d", i+1, w.Code)
		}
	}
}

// BenchmarkClientLimit is the limiter's share of a request: identity,
// key hash, deadline and a Memory charge (the profile's limits are lifted
// so every call is admitted).
func BenchmarkClientLimit(b *testing.B) {
	cfg := loadConfig(b, map[string]string{"p/public.yml": strings.Replace(publicYAML, "slug: public", "slug: public\nrps_limit: 1000000000\nburst_limit: 1000000000", 1)})
	p, _ := cfg.Profile("public")
	items := []jsonrpc.Item{{}}
	for _, c := range []struct {
		name string
		hdr  []string
	}{
		{"ip", nil},
		{"api_key", []string{"X-Api-Key", "sk_0123456789abcdef0123456789abcdef"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			h := New(Options{Config: func() *profile.Config { return cfg }, Limiter: ratelimit.NewMemory(time.Now)})
			req := httptest.NewRequest(http.MethodPost, "/rpc/ethereum", nil)
			for i := 0; i+1 < len(c.hdr); i += 2 {
				req.Header.Set(c.hdr[i], c.hdr[i+1])
			}
			w := httptest.NewRecorder()
			b.ReportAllocs()
			for b.Loop() {
				if !h.limit(w, req, "bench", p, items, false, time.Time{}) {
					b.Fatal("refused")
				}
			}
		})
	}
}
