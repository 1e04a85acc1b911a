package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// gethBinary returns the geth named by LASSO_GETH. Without one the test
// skips, so that `go test ./...` works on a machine without geth; with
// CI=true it fails instead, because a missing prerequisite in CI would
// otherwise turn the e2e suite into a silent no-op.
func gethBinary(t *testing.T) string {
	t.Helper()
	path := os.Getenv("LASSO_GETH")
	var why string
	if path == "" {
		why = "LASSO_GETH is not set"
	} else if fi, err := os.Stat(path); err != nil {
		why = fmt.Sprintf("LASSO_GETH=%s: %v", path, err)
	} else if fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
		why = fmt.Sprintf("LASSO_GETH=%s is not an executable file", path)
	}
	if why == "" {
		return path
	}
	why += " (run `make tools` and set LASSO_GETH=$PWD/bin/geth, or run `make test`)"
	if os.Getenv("CI") == "true" {
		t.Fatal("e2e prerequisite missing in CI: " + why)
	}
	t.Skip("skipping e2e: " + why)
	return ""
}

// gethNode is one `geth --dev` process started by this test.
type gethNode struct {
	name   string
	url    string // http://127.0.0.1:<port>
	cmd    *exec.Cmd
	exited chan struct{} // closed once cmd.Wait has returned
	output *lockedBuffer
}

// launchGeth starts a dev node without waiting for it. Every port is a fresh
// loopback one and the data dir is the test's own, so parallel runs and a
// developer's own geth never collide. Killing it is registered with
// t.Cleanup, which runs before t.TempDir's removal (cleanups run last in,
// first out), so the data dir is never deleted under a live process.
func launchGeth(t *testing.T, bin, name string) *gethNode {
	t.Helper()
	httpPort := freePort(t)
	args := []string{
		"--dev", "--dev.period", "1", // a block a second, even when idle
		"--datadir", t.TempDir(),
		"--http", "--http.addr", "127.0.0.1", "--http.port", httpPort,
		"--http.api", "eth,net,web3",
		"--authrpc.addr", "127.0.0.1", "--authrpc.port", freePort(t),
		"--port", "0", "--nodiscover", "--maxpeers", "0", // no p2p at all
		"--ipcdisable",
		"--verbosity", "1",
	}
	n := &gethNode{
		name:   name,
		url:    "http://127.0.0.1:" + httpPort,
		cmd:    exec.Command(bin, args...),
		exited: make(chan struct{}),
		output: &lockedBuffer{},
	}
	n.cmd.Stdout, n.cmd.Stderr = n.output, n.output
	n.cmd.WaitDelay = 5 * time.Second
	if err := n.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		_ = n.cmd.Wait()
		close(n.exited)
	}()
	t.Cleanup(n.kill)
	return n
}

// kill stops the node with SIGKILL, as a crash would, and waits until the
// process is gone. It signals only the PID this test started.
func (n *gethNode) kill() {
	select {
	case <-n.exited:
		return
	default:
	}
	_ = n.cmd.Process.Kill()
	<-n.exited
}

// pause stops the node with SIGSTOP: it keeps its port and accepts
// connections but never answers, the hung provider a timeout must cut off.
// kill still works on a paused process.
func (n *gethNode) pause(t *testing.T) {
	t.Helper()
	if err := n.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatalf("pause %s: %v", n.name, err)
	}
	// The signal is delivered asynchronously: until the kernel reports the
	// process stopped ("T" in /proc/<pid>/stat), it may still answer.
	stat := fmt.Sprintf("/proc/%d/stat", n.cmd.Process.Pid)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		b, err := os.ReadFile(stat)
		if err != nil {
			t.Fatalf("pause %s: %v", n.name, err)
		}
		// The state follows the command name, which is in parentheses.
		if f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:])); len(f) > 0 && f[0] == "T" {
			return
		}
	}
	t.Fatalf("pause %s: the process did not stop", n.name)
}

// errExited means the child died before it was ready: most likely its port
// was taken between freePort and bind, so the caller retries.
var errExited = errors.New("process exited before it was ready")

// waitReady polls eth_chainId until the node answers 0x539, it exits, or
// ctx ends. geth opens its HTTP port only once the chain is set up, so an
// answer means it is ready to serve.
func (n *gethNode) waitReady(ctx context.Context) error {
	body := callBody(1, "eth_chainId")
	for {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		status, b, err := post(pctx, n.url, body, nil)
		cancel()
		if err == nil && status == 200 {
			var r rpcResponse
			if json.Unmarshal(b, &r) == nil && string(r.Result) == `"0x539"` {
				return nil
			}
		}
		select {
		case <-n.exited:
			return fmt.Errorf("%s: %w (%v); output: %s", n.name, errExited, n.cmd.ProcessState, tail(n.output.String(), 2000))
		case <-ctx.Done():
			return fmt.Errorf("%s at %s not ready: %w (last: %v, HTTP %d); output: %s", n.name, n.url, ctx.Err(), err, status, tail(n.output.String(), 2000))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// launchGeths starts the named nodes at once, so their start-up overlaps
// with each other and with whatever the caller does before waitGeths.
func launchGeths(t *testing.T, bin string, names ...string) []*gethNode {
	t.Helper()
	nodes := make([]*gethNode, len(names))
	for i, name := range names {
		nodes[i] = launchGeth(t, bin, name)
	}
	return nodes
}

// waitGeths waits until every node answers, relaunching (on fresh ports) a
// node that died early, at most twice. The deadline is generous because a
// cold geth on a loaded CI machine can take several seconds.
func waitGeths(t *testing.T, bin string, nodes []*gethNode) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for i, n := range nodes {
		for attempt := 1; ; attempt++ {
			err := n.waitReady(ctx)
			if err == nil {
				break
			}
			if !errors.Is(err, errExited) || attempt == 3 {
				t.Fatal(err)
			}
			t.Logf("%v; relaunching", err)
			n = launchGeth(t, bin, n.name)
			nodes[i] = n
		}
	}
}

// devAccount is the node's funded dev account, asked of geth directly: the
// router refuses eth_accounts, as a shared proxy must.
func (n *gethNode) devAccount(t *testing.T) string {
	t.Helper()
	var accounts []string
	if err := json.Unmarshal(rpcDirect(t, n.url, "eth_accounts"), &accounts); err != nil || len(accounts) == 0 {
		t.Fatalf("%s eth_accounts: %v %v", n.name, accounts, err)
	}
	if !strings.HasPrefix(accounts[0], "0x") || len(accounts[0]) != 42 {
		t.Fatalf("%s dev account %q: not an address", n.name, accounts[0])
	}
	return accounts[0]
}
