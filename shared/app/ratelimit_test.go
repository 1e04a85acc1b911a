package app_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/app"
	"github.com/lasso-serverless/lasso/shared/ratelimit"
	"github.com/lasso-serverless/lasso/shared/ratelimit/ratelimittest"
)

// limitedApp is app.New over one profile allowing 5 calls a second, 5 at
// once. Its only provider is never called: eth_chainId is answered locally.
func limitedApp(t *testing.T, env map[string]string, opts app.Options) http.Handler {
	t.Helper()
	dir := t.TempDir()
	const yml = "---\nname: Test\nslug: public\nrps_limit: 5\nburst_limit: 5\n---\nchains:\n  ethereum:\n    chain_id: 1\n    providers:\n      - id: a\n        url: http://127.0.0.1:9/never\n"
	if err := os.WriteFile(filepath.Join(dir, "public.yml"), []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := app.ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	cfg.ProfilesDir = dir
	opts.LogOutput = io.Discard
	opts.Lookup = func(string) (string, bool) { return "", false }
	a, err := app.New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return a.Handler()
}

func chainID(h http.Handler, hdr ...string) int {
	req := httptest.NewRequest(http.MethodPost, "/rpc/ethereum", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}`))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code
}

// TestClientRateLimitInMemory: without Redis, app.New limits clients in
// memory, per key, on its clock.
func TestClientRateLimitInMemory(t *testing.T) {
	clock := ratelimittest.NewFakeClock(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	h := limitedApp(t, nil, app.Options{Clock: clock.Now})
	for i := range 5 {
		if c := chainID(h, "X-Api-Key", "alice"); c != 200 {
			t.Fatalf("alice's call %d of a burst of 5: %d", i+1, c)
		}
	}
	if c := chainID(h, "X-Api-Key", "alice"); c != 429 {
		t.Fatalf("alice's 6th call: %d, want 429", c)
	}
	for i := range 5 {
		if c := chainID(h, "X-Api-Key", "bob"); c != 200 {
			t.Fatalf("bob's call %d: %d, want 200 (his own bucket)", i+1, c)
		}
	}
	clock.Advance(200 * time.Millisecond) // one call at 5 per second
	if c := chainID(h, "X-Api-Key", "alice"); c != 200 {
		t.Fatalf("alice after 200 ms: %d, want 200", c)
	}
	if c := chainID(h, "X-Api-Key", "alice"); c != 429 {
		t.Fatalf("alice's next: %d, want 429", c)
	}
}

// TestTrustedProxiesWiring: LASSO_TRUSTED_PROXIES reaches the handler, so
// the address a proxy saw, not the proxy's, is the client.
func TestTrustedProxiesWiring(t *testing.T) {
	clock := ratelimittest.NewFakeClock(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	h := limitedApp(t, map[string]string{"LASSO_TRUSTED_PROXIES": "1"}, app.Options{Clock: clock.Now})
	for range 5 {
		chainID(h, "X-Forwarded-For", "198.51.100.1")
	}
	if c := chainID(h, "X-Forwarded-For", "198.51.100.1"); c != 429 {
		t.Fatalf("6th call from 198.51.100.1: %d, want 429", c)
	}
	if c := chainID(h, "X-Forwarded-For", "198.51.100.1, 198.51.100.2"); c != 200 {
		t.Fatalf("a call from 198.51.100.2 through the same proxy: %d, want 200", c)
	}
}

// counting is a Limiter that admits everything and counts its calls.
type counting struct{ n atomic.Int64 }

func (c *counting) AllowN(_ context.Context, _ string, _ ratelimit.Limit, n int) (ratelimit.Result, error) {
	c.n.Add(int64(n))
	return ratelimit.Result{Allowed: n, RetryAfter: -1}, nil
}

// TestLimiterOverride: Options.Limiter replaces the in-memory one (the seam
// the Redis limiter comes through).
func TestLimiterOverride(t *testing.T) {
	lim := &counting{}
	h := limitedApp(t, nil, app.Options{Limiter: lim})
	for i := range 10 {
		if c := chainID(h); c != 200 {
			t.Fatalf("call %d: %d, want 200", i+1, c)
		}
	}
	if n := lim.n.Load(); n != 10 {
		t.Fatalf("limiter charged %d calls, want 10", n)
	}
}

func TestConfigTrustedProxies(t *testing.T) {
	for _, c := range []struct {
		env  string
		want int
		err  bool
	}{
		{"", 0, false},
		{"0", 0, false},
		{"2", 2, false},
		{"-1", 0, true},
		{"one", 0, true},
	} {
		cfg, err := app.ConfigFromEnv(func(k string) string {
			if k == "LASSO_TRUSTED_PROXIES" {
				return c.env
			}
			return ""
		})
		switch {
		case c.err && (err == nil || !strings.Contains(err.Error(), "LASSO_TRUSTED_PROXIES")):
			t.Errorf("LASSO_TRUSTED_PROXIES=%q: error %v, want one naming the variable", c.env, err)
		case !c.err && (err != nil || cfg.TrustedProxies != c.want):
			t.Errorf("LASSO_TRUSTED_PROXIES=%q: got %d, %v; want %d", c.env, cfg.TrustedProxies, err, c.want)
		}
	}
}
