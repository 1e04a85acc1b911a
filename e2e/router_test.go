package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// build holds the router binary, built once per test binary: every test
// runs the same build, and `go build` is paid once.
var build struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// TestMain removes the shared build directory, which outlives any one test
// and so cannot be a t.TempDir.
func TestMain(m *testing.M) {
	code := m.Run()
	if build.dir != "" {
		_ = os.RemoveAll(build.dir)
	}
	os.Exit(code)
}

// repoRoot is the module root, found relative to this package (tests run in
// their package's directory) and checked, so that a moved package fails
// with a clear message instead of building something else.
func repoRoot() (string, error) {
	root, err := filepath.Abs("..")
	if err != nil {
		return "", err
	}
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil || !strings.Contains(string(mod), "module github.com/lasso-serverless/lasso\n") {
		return "", fmt.Errorf("%s is not the lasso module root (go.mod: %v)", root, err)
	}
	return root, nil
}

// routerBinary builds ./functions/local, the same main `make run` runs, into
// a temporary directory. `go test` puts its own GOROOT/bin first on PATH, so
// "go" is the toolchain running the tests.
func routerBinary(t *testing.T) string {
	t.Helper()
	build.once.Do(func() {
		root, err := repoRoot()
		if err != nil {
			build.err = err
			return
		}
		if build.dir, err = os.MkdirTemp("", "lasso-e2e-"); err != nil {
			build.err = err
			return
		}
		build.path = filepath.Join(build.dir, "lasso")
		cmd := exec.Command("go", "build", "-o", build.path, "./functions/local")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			build.err = fmt.Errorf("go build ./functions/local: %v\n%s", err, out)
		}
	})
	if build.err != nil {
		t.Fatal(build.err)
	}
	return build.path
}

// writeProfile writes the one profile the router loads: chain "dev" (geth's
// dev chain id, 1337) served by the given providers, in priority order.
func writeProfile(t *testing.T, nodes ...*gethNode) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("---\nname: E2E\nslug: public\n---\nchains:\n  dev:\n    chain_id: 1337\n    name: Geth Dev\n    providers:\n")
	for i, n := range nodes {
		fmt.Fprintf(&b, "      - id: %s\n        name: %s\n        priority: %d\n        url: %s\n", n.name, n.name, 10*(i+1), n.url)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "public.yml"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// routerProc is the router process this test started.
type routerProc struct {
	base   string // http://127.0.0.1:<port>
	cmd    *exec.Cmd
	exited chan struct{}
	stdout *lockedBuffer // the JSON log, one line per call
	stderr *lockedBuffer
}

// startRouter runs the router binary on a free port in front of the
// profiles in dir and waits until /api/health answers 200. A router that
// exits early (its port taken in the meantime) is relaunched, at most twice.
func startRouter(t *testing.T, bin, profilesDir string) *routerProc {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for attempt := 1; ; attempt++ {
		r := launchRouter(t, bin, profilesDir)
		err := r.waitHealthy(ctx)
		if err == nil {
			return r
		}
		if !errors.Is(err, errExited) || attempt == 3 {
			t.Fatal(err)
		}
		t.Logf("%v; relaunching", err)
	}
}

func launchRouter(t *testing.T, bin, profilesDir string) *routerProc {
	t.Helper()
	port := freePort(t)
	r := &routerProc{
		base:   "http://127.0.0.1:" + port,
		cmd:    exec.Command(bin),
		exited: make(chan struct{}),
		stdout: &lockedBuffer{},
		stderr: &lockedBuffer{},
	}
	// Only the variables the router reads are set on top of the test's
	// environment; LOG_LEVEL=info pins the one-line-per-call log.
	r.cmd.Env = append(os.Environ(),
		"HOST=127.0.0.1", "PORT="+port, "LASSO_PROFILES_DIR="+profilesDir,
		"LASSO_NODE_ID=e2e", "LOG_LEVEL=info")
	r.cmd.Stdout, r.cmd.Stderr = r.stdout, r.stderr
	r.cmd.WaitDelay = 5 * time.Second
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("start router: %v", err)
	}
	go func() {
		_ = r.cmd.Wait()
		close(r.exited)
	}()
	t.Cleanup(r.stop)
	return r
}

// stop ends the router by its PID: SIGTERM first, the graceful path the
// router implements, then SIGKILL if it has not gone within 5 s.
func (r *routerProc) stop() {
	select {
	case <-r.exited:
		return
	default:
	}
	_ = r.cmd.Process.Signal(os.Interrupt)
	select {
	case <-r.exited:
	case <-time.After(5 * time.Second):
		_ = r.cmd.Process.Kill()
		<-r.exited
	}
}

func (r *routerProc) waitHealthy(ctx context.Context) error {
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, r.base+"/api/health", nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-r.exited:
			return fmt.Errorf("router: %w (%v); stderr: %s", errExited, r.cmd.ProcessState, tail(r.stderr.String(), 2000))
		case <-ctx.Done():
			return fmt.Errorf("router at %s not healthy: %w (last: %v); stderr: %s", r.base, ctx.Err(), err, tail(r.stderr.String(), 2000))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// rpc posts body to path with reqID as X-Request-Id (so the call's log line
// can be found) and returns the HTTP status and raw body.
func (r *routerProc) rpc(t *testing.T, path, reqID, body string, header http.Header) (int, []byte) {
	t.Helper()
	if header == nil {
		header = http.Header{}
	}
	header.Set("X-Request-Id", reqID)
	status, b, err := post(context.Background(), r.base+path, body, header)
	if err != nil {
		t.Fatalf("POST %s %s: %v", path, body, err)
	}
	return status, b
}

// call is rpc for a single call that must come back as HTTP 200 with a
// JSON-RPC response object.
func (r *routerProc) call(t *testing.T, path, reqID, body string, header http.Header) rpcResponse {
	t.Helper()
	status, b := r.rpc(t, path, reqID, body, header)
	var resp rpcResponse
	if err := json.Unmarshal(b, &resp); err != nil {
		t.Fatalf("POST %s %s: HTTP %d, body %s: %v", path, body, status, b, err)
	}
	if status != http.StatusOK {
		t.Fatalf("POST %s %s: HTTP %d, want 200 (JSON-RPC errors travel with 200); body %s", path, body, status, b)
	}
	return resp
}

// result is call for a request that must succeed.
func (r *routerProc) result(t *testing.T, path, reqID, body string, header http.Header) json.RawMessage {
	t.Helper()
	resp := r.call(t, path, reqID, body, header)
	if resp.Error != nil || resp.Result == nil {
		t.Fatalf("POST %s %s: want a result, got error %+v; router stderr: %s", path, body, resp.Error, tail(r.stderr.String(), 1000))
	}
	return resp.Result
}

// logLines parses the router's stdout. bad holds the lines that are not a
// JSON object, which the log must never have: it is meant for machines.
func (r *routerProc) logLines() (lines []map[string]any, bad []string) {
	for _, text := range strings.Split(strings.TrimSuffix(r.stdout.String(), "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(text), &m); err != nil || m == nil {
			bad = append(bad, text)
			continue
		}
		lines = append(lines, m)
	}
	return lines, bad
}

// callLogs returns the per-call log lines ("msg":"rpc") of one request id.
func (r *routerProc) callLogs(t *testing.T, reqID string) []map[string]any {
	t.Helper()
	var out []map[string]any
	lines, _ := r.logLines()
	for _, l := range lines {
		if l["msg"] == "rpc" && l["request_id"] == reqID {
			out = append(out, l)
		}
	}
	return out
}

// waitCallLogs waits for n log lines of reqID. The router writes a call's
// line before its response, but the line reaches the buffer through a pipe
// and os/exec's copying goroutine, so it may trail the response slightly.
func (r *routerProc) waitCallLogs(t *testing.T, reqID string, n int) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		logs := r.callLogs(t, reqID)
		if len(logs) >= n || time.Now().After(deadline) {
			return logs
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// servedBy asserts that the one call of reqID was logged as served by
// provider ("" for a call answered locally).
func (r *routerProc) servedBy(t *testing.T, reqID, provider string) {
	t.Helper()
	logs := r.waitCallLogs(t, reqID, 1)
	if len(logs) != 1 {
		t.Fatalf("request %s: %d log lines, want 1; stdout: %s", reqID, len(logs), tail(r.stdout.String(), 2000))
	}
	if got := logs[0]["provider"]; got != provider {
		t.Errorf("request %s: logged provider %v, want %q (line %v)", reqID, got, provider, logs[0])
	}
}
