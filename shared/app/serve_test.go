package app_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/app"
	"github.com/lasso-serverless/lasso/shared/rpcclient/providertest"
)

// Shutdown lets a call in flight finish before Serve returns.
func TestServeDrainsOnShutdown(t *testing.T) {
	t.Parallel()
	// Only the client's call is held: the server's own probes (eth_chainId,
	// eth_blockNumber) reach the provider too and must not.
	release := make(chan struct{})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	slow := func(r providertest.Received) (int, []byte) {
		if r.Method == "eth_gasPrice" {
			<-release
		}
		return ok(`"0x5"`)(r)
	}
	dir := t.TempDir()
	p := providertest.New(t, slow)
	t.Cleanup(free) // before the provider's Close, which waits for held calls
	writeProfile(t, dir, p.URL())
	cfg, err := app.ConfigFromEnv(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.ProfilesDir = dir
	a, err := app.New(cfg, app.Options{LogOutput: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ln) }()

	answered := make(chan string, 1)
	go func() {
		resp, err := http.Post("http://"+ln.Addr().String()+"/rpc/ethereum", "application/json",
			strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"eth_gasPrice"}`))
		if err != nil {
			answered <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		answered <- string(b)
	}()
	for !slices.Contains(p.Methods(), "eth_gasPrice") { // the call has reached the provider
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-served:
		t.Fatalf("Serve returned %v while a call was in flight", err)
	case <-time.After(50 * time.Millisecond):
	}
	free()
	if got, want := <-answered, `{"jsonrpc":"2.0","id":1,"result":"0x5"}`; got != want {
		t.Errorf("in-flight call: got %s, want %s", got, want)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: got %v, want nil after a clean shutdown", err)
	}
	if _, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		t.Error("the listener still accepts after shutdown")
	}
}

func TestNewRefusesBrokenProfiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := "---\nname: P\nslug: public\n---\nchains:\n  ethereum:\n    chain_id: 1\n    providers:\n      - id: a\n        url: https://x.example/${MISSING_KEY}\n"
	if err := os.WriteFile(filepath.Join(dir, "public.yml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, _ := app.ConfigFromEnv(func(string) string { return "" })
	cfg.ProfilesDir = dir
	_, err := app.New(cfg, app.Options{Lookup: func(string) (string, bool) { return "", false }})
	if err == nil || !strings.Contains(err.Error(), "${MISSING_KEY}") || !strings.Contains(err.Error(), "public.yml:10") {
		t.Errorf("New: got %v, want the unresolved variable with file and line", err)
	}
	var out bytes.Buffer
	if app.Check(cfg, func(string) (string, bool) { return "", false }, &out) {
		t.Error("Check: got true for a broken profile")
	}
	if !strings.Contains(out.String(), "chains.ethereum.providers[0].url") {
		t.Errorf("Check output %q lacks the YAML path", out.String())
	}
	out.Reset()
	if !app.Check(cfg, func(string) (string, bool) { return "k", true }, &out) || !strings.Contains(out.String(), "ok public") {
		t.Errorf("Check with the variable set: got %q, want ok", out.String())
	}
}

func writeProfile(t *testing.T, dir, url string) {
	t.Helper()
	y := "---\nname: P\nslug: public\n---\nchains:\n  ethereum:\n    chain_id: 1\n    providers:\n      - id: a\n        url: " + url + "\n"
	if err := os.WriteFile(filepath.Join(dir, "public.yml"), []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
}
