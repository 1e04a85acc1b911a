package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// freePort asks the OS for a free loopback port. The listener is closed
// before the port is used, so another process may take it in between; the
// launchers retry with fresh ports when a child exits early for that reason.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// client talks to loopback only: no proxy from the environment, and a
// timeout so that a hung child fails the test instead of hanging it.
var client = &http.Client{
	Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
	Timeout:   20 * time.Second,
}

// post sends a JSON body and returns the HTTP status and the body.
func post(ctx context.Context, url, body string, header http.Header) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// rpcError is a JSON-RPC error object.
type rpcError struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

// rpcResponse is one JSON-RPC response. ID stays raw so that a test can
// tell "a" from 7 from null.
type rpcResponse struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  json.RawMessage `json:"result"`
	Error   *rpcError       `json:"error"`
}

// callBody encodes one JSON-RPC request; params may be empty.
func callBody(id int, method string, params ...any) string {
	if params == nil {
		params = []any{}
	}
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
	return string(b)
}

// rpcDirect calls a geth node directly (not through the router) and returns
// the result, failing the test on any error.
func rpcDirect(t *testing.T, url, method string, params ...any) json.RawMessage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	status, body, err := post(ctx, url, callBody(1, method, params...), nil)
	if err != nil {
		t.Fatalf("%s %s: %v", url, method, err)
	}
	var r rpcResponse
	if err := json.Unmarshal(body, &r); err != nil || status != http.StatusOK {
		t.Fatalf("%s %s: HTTP %d %s", url, method, status, body)
	}
	if r.Error != nil {
		t.Fatalf("%s %s: error %d %s", url, method, r.Error.Code, r.Error.Message)
	}
	return r.Result
}

// hexQuantity parses a JSON-RPC quantity ("0x1a"), rejecting anything else:
// the router must pass results through unchanged.
func hexQuantity(t *testing.T, raw json.RawMessage) uint64 {
	t.Helper()
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("result %s: not a JSON string", raw)
	}
	digits, ok := strings.CutPrefix(s, "0x")
	if !ok || digits == "" || (len(digits) > 1 && digits[0] == '0') {
		t.Fatalf("result %q: not a hex quantity", s)
	}
	n, err := strconv.ParseUint(digits, 16, 64)
	if err != nil {
		t.Fatalf("result %q: %v", s, err)
	}
	return n
}

// lockedBuffer collects a child's output; os/exec copies into it from its
// own goroutine while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// tail is the end of a child's output, for failure messages.
func tail(s string, n int) string {
	if len(s) > n {
		s = "..." + s[len(s)-n:]
	}
	return fmt.Sprintf("%q", s)
}
