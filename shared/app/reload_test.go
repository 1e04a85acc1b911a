package app_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/app"
)

// The configuration reloads after its TTL; a broken reload keeps the last
// good one, and the router keeps serving.
func TestReloadKeepsLastGood(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "public.yml"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	profile := func(chain string, id int) string {
		return "---\nname: P\nslug: public\n---\nchains:\n  " + chain + ":\n    chain_id: " + itoa(id) + "\n    providers:\n      - id: a\n        url: https://a.example\n"
	}
	write(profile("ethereum", 1))
	cfg, _ := app.ConfigFromEnv(func(string) string { return "" })
	cfg.ProfilesDir, cfg.ConfigTTL = dir, time.Minute
	clock := newFakeClock()
	a, err := app.New(cfg, app.Options{LogOutput: io.Discard, Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	chainID := func(path string) string {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		a.Handler().ServeHTTP(rec, req)
		return rec.Body.String()
	}
	reload := func() {
		clock.Advance(time.Minute)
		a.BeginInvocation(context.Background())()
	}
	write(profile("base", 8453))
	reload()
	if got := chainID("/rpc/base"); !strings.Contains(got, `"0x2105"`) {
		t.Fatalf("after a reload: %s, want base served", got)
	}
	write("---\nname: P\nslug: public\n---\nchains: [broken\n")
	reload()
	if got := chainID("/rpc/base"); !strings.Contains(got, `"0x2105"`) {
		t.Errorf("after a broken reload: %s, want the last good configuration", got)
	}
}
