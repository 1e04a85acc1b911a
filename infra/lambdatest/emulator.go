package lambdatest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Emulator is one aws-lambda-rie process started by a test, and the
// bootstrap it starts in turn.
type Emulator struct {
	url    string // the invoke endpoint
	cmd    *exec.Cmd
	exited chan struct{}
	output *Buffer // the emulator's and the function's output
	seen   int     // output already consumed by WaitOutput
}

// Start starts the emulator rie running bootstrap with exactly env as its
// environment, on fresh loopback ports, retrying with new ones (at most
// twice) when it dies before listening: most likely a port was taken
// between choosing and binding. It stops when t ends.
func Start(t testing.TB, rie, bootstrap string, env []string) *Emulator {
	t.Helper()
	for attempt := 1; ; attempt++ {
		e, err := launch(t, rie, bootstrap, env)
		if err == nil {
			return e
		}
		if attempt == 3 {
			t.Fatal(err)
		}
		t.Logf("%v; relaunching", err)
	}
}

func launch(t testing.TB, rie, bootstrap string, env []string) (*Emulator, error) {
	t.Helper()
	addr, runtimeAPI := freeAddr(t), freeAddr(t)
	e := &Emulator{
		url: "http://" + addr + "/2015-03-31/functions/function/invocations",
		// The runtime API has its own port (127.0.0.1:9001 by default), so
		// it gets a fresh one too: parallel runs never collide.
		cmd: exec.Command(rie,
			"--runtime-interface-emulator-address", addr,
			"--runtime-api-address", runtimeAPI,
			bootstrap),
		exited: make(chan struct{}),
		output: &Buffer{},
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
func (e *Emulator) stop(t testing.TB) {
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

// Post sends an event to the invoke endpoint and returns the answer: the
// function's response, or the runtime's error object, with the HTTP status.
func (e *Emulator) Post(t testing.TB, event []byte) ([]byte, int) {
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

// WaitOutput waits until output not yet consumed matches re, and returns
// the match; the output up to it is consumed.
func (e *Emulator) WaitOutput(t testing.TB, re *regexp.Regexp) string {
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

// Output is everything the emulator and the function wrote so far.
func (e *Emulator) Output() string { return e.output.String() }

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Buffer collects output that other goroutines or processes write while
// a test reads it: an emulator's, a handler's log.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Buffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *Buffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
