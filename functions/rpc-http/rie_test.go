package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/rpcclient/providertest"
)

// TestBootstrapUnderEmulator runs the real bootstrap, built as `make build`
// builds it but for this machine, under the AWS Lambda Runtime Interface
// Emulator: the Lambda runtime API, the invocation deadline and the init
// phase are the emulator's, not the test's.
func TestBootstrapUnderEmulator(t *testing.T) {
	rie := rieBinary(t)
	bootstrap := buildBootstrap(t)
	p := provider(t)
	env := []string{
		"LASSO_PROFILES_DIR=" + profileDir(t, p.URL()),
		"LASSO_NODE_ID=rie",
		"AWS_LAMBDA_FUNCTION_NAME=rpc-http",
		"AWS_LAMBDA_FUNCTION_TIMEOUT=3", // seconds: each invocation's deadline
	}
	emu := startEmulator(t, rie, bootstrap, env)

	// Cold: the emulator starts the bootstrap (the init phase) on the
	// first invocation and reports how long the init took.
	r := emu.invoke(t, event(t, "apigw-v2-post-rpc.json"))
	if rr := r.rpc(t); r.StatusCode != 200 || string(rr.ID) != "42" || string(rr.Result) != `"`+blockNumber+`"` {
		t.Fatalf("cold invocation: got %s %q, want the provider's result with id 42", statusOf(r.StatusCode), r.Body)
	}
	if got := r.header("X-Request-Id"); got != "client-4f3c2a1b-0e9d-8c7b" {
		t.Errorf("X-Request-Id: got %q, want the client's", got)
	}
	// Two figures: the runtime's init phase as rapid logs it (exec of the
	// bootstrap until its first request for work: process start and
	// app.New), and the REPORT line's "Init Duration", which this emulator
	// measures around an asynchronous call and so reports as about 0.
	initLog := emu.waitOutput(t, initReport)
	report := emu.waitOutput(t, reportLine)
	m := initDuration.FindStringSubmatch(report)
	if m == nil {
		t.Fatalf("the first invocation's report has no Init Duration: %q", report)
	}
	t.Logf("cold start: init phase %s ms (INIT REPORT); REPORT Init Duration %s ms; first invocation %s",
		initReport.FindStringSubmatch(initLog)[1], m[1], duration(report))

	// Warm: the same process answers an ALB event.
	r = emu.invoke(t, event(t, "alb-post-rpc-multivalue.json"))
	if rr := r.rpc(t); r.StatusCode != 200 || r.StatusDescription != "200 OK" || string(rr.ID) != "9" {
		t.Fatalf("warm invocation: got %s %q %q, want 200 OK with id 9", statusOf(r.StatusCode), r.StatusDescription, r.Body)
	}
	report = emu.waitOutput(t, reportLine)
	if initDuration.MatchString(report) {
		t.Errorf("warm invocation: the report has an init duration, want none (no second cold start): %q", report)
	}
	t.Logf("warm invocation: %s", duration(report))

	// The version the build stamped is the one health reports.
	r = emu.invoke(t, event(t, "apigw-v2-get-health.json"))
	var health struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal([]byte(r.Body), &health); err != nil || health.Version != stampedVersion {
		t.Errorf("GET /api/health: got %q, want version %q (stamped by make)", r.Body, stampedVersion)
	}
	emu.waitOutput(t, reportLine)

	// An answer over Lambda's 6 MB, which the emulator enforces as Lambda
	// does, reaches the client as a JSON-RPC error instead of the runtime's
	// "payload size exceeded".
	p.SetBehaviour(providertest.Result(hexResult(7 << 20)))
	r = emu.invoke(t, event(t, "apigw-v2-post-rpc.json"))
	if rr := r.rpc(t); rr.Error == nil || rr.Error.Code != -32603 || string(rr.ID) != "42" ||
		!strings.Contains(r.Body, "response_too_large") {
		t.Errorf("7 MB answer: got %s %.300q, want a response_too_large error with id 42", statusOf(r.StatusCode), r.Body)
	}
	emu.waitOutput(t, reportLine)
	p.SetBehaviour(providertest.Result(`"` + blockNumber + `"`))

	// A malformed event is an invocation error, and the process lives on.
	out, status := emu.post(t, event(t, "malformed-no-method.json"))
	if !strings.Contains(string(out), "errorMessage") || !strings.Contains(string(out), "not an API Gateway or ALB HTTP event") {
		t.Errorf("malformed event: got HTTP %d %s, want the function's error", status, out)
	}
	emu.waitOutput(t, reportLine)

	// The invocation's deadline (3 s) reaches the router: a provider that
	// never answers an eth_call (the router's own timeout for it: 5 s) gets
	// the client a timeout error 200 ms before the deadline, instead of
	// the emulator's "Task timed out".
	p.SetBehaviour(providertest.Hang())
	before := p.Count()
	start := time.Now()
	r = emu.invoke(t, withBody(t, event(t, "apigw-v2-post-rpc.json"), ethCall))
	took := time.Since(start)
	if rr := r.rpc(t); rr.Error == nil || rr.Error.Code != -32007 || string(rr.ID) != "42" {
		t.Fatalf("hanging provider: got %s %q after %v, want a -32007 timeout with id 42", statusOf(r.StatusCode), r.Body, took)
	}
	if took < 2500*time.Millisecond || took > 3*time.Second {
		t.Errorf("hanging provider: answered after %v, want about 2.8 s (the 3 s deadline less the margin)", took)
	}
	t.Logf("hanging provider: timeout answered after %v of the 3 s invocation", took.Round(time.Millisecond))
	if c := p.Count() - before; c != 1 {
		t.Errorf("provider calls of the hanging eth_call: got %d, want 1", c)
	}
}

var (
	initReport   = regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9.]+)\)`)
	reportLine   = regexp.MustCompile(`REPORT RequestId: [^\n]*\n`)
	initDuration = regexp.MustCompile(`Init Duration: ([0-9.]+) ms`)
	runDuration  = regexp.MustCompile(`\tDuration: ([0-9.]+) ms`)
)

func duration(report string) string {
	if m := runDuration.FindStringSubmatch(report); m != nil {
		return "Duration " + m[1] + " ms"
	}
	return "no Duration"
}

// rieBinary returns the emulator named by LASSO_RIE (`make test` sets it to
// bin/aws-lambda-rie, which `make tools` installs). Without one the test
// skips, so that `go test ./...` works anywhere; with CI=true it fails,
// because a missing prerequisite in CI would otherwise pass silently.
func rieBinary(t *testing.T) string {
	t.Helper()
	path := os.Getenv("LASSO_RIE")
	var why string
	if path == "" {
		why = "LASSO_RIE is not set"
	} else if fi, err := os.Stat(path); err != nil {
		why = fmt.Sprintf("LASSO_RIE=%s: %v", path, err)
	} else if fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
		why = fmt.Sprintf("LASSO_RIE=%s is not an executable file", path)
	}
	if why == "" {
		return path
	}
	why += " (run `make tools` and set LASSO_RIE=$PWD/bin/aws-lambda-rie, or run `make test`)"
	if os.Getenv("CI") == "true" {
		t.Fatal("Lambda emulator missing in CI: " + why)
	}
	t.Skip("skipping the emulator test: " + why)
	return ""
}

// stampedVersion is the VERSION buildBootstrap stamps, which GET
// /api/health must report.
const stampedVersion = "v0.0.0-rie-test"

// buildBootstrap builds this function with the Makefile target `sam build`
// runs (build-RpcHttpFunction: flags, version stamp, bundled profiles), but
// for the machine the test runs on.
func buildBootstrap(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	// go test puts its own toolchain first in PATH; the Makefile keeps it.
	cmd := exec.Command("make", "-C", "../..", "--no-print-directory", "build-RpcHttpFunction",
		"ARTIFACTS_DIR="+dir, "LAMBDA_ARCH="+runtime.GOARCH, "VERSION="+stampedVersion)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make build-RpcHttpFunction: %v\n%s", err, b)
	}
	if _, err := os.Stat(filepath.Join(dir, "profiles", "public.yml")); err != nil {
		t.Errorf("build-RpcHttpFunction bundles no profiles beside the bootstrap: %v", err)
	}
	return filepath.Join(dir, "bootstrap")
}

// emulator is one aws-lambda-rie process started by this test, and the
// bootstrap it starts in turn.
type emulator struct {
	url    string // the invoke endpoint
	cmd    *exec.Cmd
	exited chan struct{}
	output *lockedBuffer // the emulator's and the function's output
	seen   int           // output already consumed by waitOutput
}

// startEmulator starts the emulator on fresh loopback ports, retrying with
// new ones (at most twice) when it dies before listening: most likely a
// port was taken between choosing and binding.
func startEmulator(t *testing.T, rie, bootstrap string, env []string) *emulator {
	t.Helper()
	for attempt := 1; ; attempt++ {
		e, err := launchEmulator(t, rie, bootstrap, env)
		if err == nil {
			return e
		}
		if attempt == 3 {
			t.Fatal(err)
		}
		t.Logf("%v; relaunching", err)
	}
}

func launchEmulator(t *testing.T, rie, bootstrap string, env []string) (*emulator, error) {
	t.Helper()
	addr, runtimeAPI := freeAddr(t), freeAddr(t)
	e := &emulator{
		url: "http://" + addr + "/2015-03-31/functions/function/invocations",
		// The runtime API has its own port (127.0.0.1:9001 by default), so
		// it gets a fresh one too: parallel runs never collide.
		cmd: exec.Command(rie,
			"--runtime-interface-emulator-address", addr,
			"--runtime-api-address", runtimeAPI,
			bootstrap),
		exited: make(chan struct{}),
		output: &lockedBuffer{},
	}
	// Only what the function needs: nothing of the developer's environment
	// (REDIS_URL, AWS credentials, LASSO_*) leaks into it.
	e.cmd.Env = env
	e.cmd.Dir = filepath.Dir(bootstrap)
	e.cmd.Stdout, e.cmd.Stderr = e.output, e.output
	// Its own process group: the emulator and the bootstrap it starts, so
	// that cleanup can stop exactly these and nothing else.
	e.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	e.cmd.WaitDelay = 5 * time.Second
	if err := e.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", rie, err)
	}
	go func() {
		_ = e.cmd.Wait()
		close(e.exited)
	}()
	t.Cleanup(func() { e.stop(t) })
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return e, nil
		}
		select {
		case <-e.exited:
			e.stop(t)
			return nil, fmt.Errorf("aws-lambda-rie exited before listening on %s (%v); output: %s", addr, e.cmd.ProcessState, e.output.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("aws-lambda-rie not listening on %s after 10 s; output: %s", addr, e.output.String())
		}
	}
}

// stop ends the emulator with SIGTERM, which makes it stop the bootstrap,
// then kills whatever of its process group is left (the group holds only
// the processes this test started).
func (e *emulator) stop(t *testing.T) {
	pgid := e.cmd.Process.Pid
	select {
	case <-e.exited:
	default:
		_ = e.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-e.exited:
		case <-time.After(5 * time.Second):
			t.Logf("aws-lambda-rie (pid %d) ignored SIGTERM; killing it", pgid)
			_ = e.cmd.Process.Kill()
			<-e.exited
		}
	}
	if err := syscall.Kill(-pgid, syscall.SIGKILL); err == nil {
		t.Logf("killed processes left in the emulator's group %d", pgid)
	}
	if t.Failed() {
		t.Logf("emulator output:\n%s", e.output.String())
	}
}

// post sends an event to the invoke endpoint and returns the answer.
func (e *emulator) post(t *testing.T, event []byte) ([]byte, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(event))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("invoke: %v; output: %s", err, e.output.String())
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	return b, resp.StatusCode
}

// invoke sends an event that must succeed and decodes the function's
// response.
func (e *emulator) invoke(t *testing.T, event []byte) reply {
	t.Helper()
	b, status := e.post(t, event)
	if status != http.StatusOK || bytes.Contains(b, []byte(`"errorMessage"`)) {
		t.Fatalf("invoke: HTTP %d %s; output: %s", status, b, e.output.String())
	}
	return decodeReply(t, b)
}

// waitOutput waits until output not yet consumed matches re, and returns
// the match; the output up to it is consumed.
func (e *emulator) waitOutput(t *testing.T, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out := e.output.String()[e.seen:]
		if loc := re.FindStringIndex(out); loc != nil {
			e.seen += loc[1]
			return out[loc[0]:loc[1]]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the emulator's output after 10 s: %s", re, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// lockedBuffer collects a child's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
