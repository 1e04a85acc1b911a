package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/jsonrpc"
	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/proxy"
)

// publicYAML is the default profile: ethereum (id 1, alias eth, providers a
// and b) and base (8453), in that file order.
const publicYAML = `---
name: Public
slug: public
---
chains:
  ethereum:
    chain_id: 1
    name: Ethereum Mainnet
    url_aliases: [eth]
    providers:
      - id: a
        priority: 1
        url: https://a.example/v2/PROVIDERKEY
      - id: b
        priority: 2
        url: https://b.example
  base:
    chain_id: 8453
    name: Base
    providers:
      - id: a
        url: https://base-a.example
`

// teamYAML is a second profile with its own providers.
const teamYAML = `---
name: Team
slug: team
---
chains:
  ethereum:
    chain_id: 1
    name: Ethereum Mainnet
    providers:
      - id: t1
        url: https://t1.example
`

func loadConfig(t testing.TB, files map[string]string) *profile.Config {
	t.Helper()
	data := map[string][]byte{}
	for k, v := range files {
		data[k] = []byte(v)
	}
	cfg, err := profile.Load(data, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatalf("profile.Load: %v", err)
	}
	return cfg
}

func testConfig(t testing.TB) *profile.Config {
	return loadConfig(t, map[string]string{"profiles/public.yml": publicYAML, "profiles/team.yml": teamYAML})
}

// clock is a settable time source, safe for concurrent use.
type clock struct{ ns atomic.Int64 }

var epoch = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func (c *clock) Now() time.Time          { return epoch.Add(time.Duration(c.ns.Load())) }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// fake is a scripted proxy.Handler that records every Call it gets.
type fake struct {
	mu    sync.Mutex
	calls []*proxy.Call
	// serve answers; nil means answer "0x1" with Meta{Provider: "a", Attempts: 1}.
	serve func(ctx context.Context, c *proxy.Call) (*jsonrpc.Response, error)
}

func (f *fake) Serve(ctx context.Context, c *proxy.Call) (*jsonrpc.Response, error) {
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
	if f.serve != nil {
		return f.serve(ctx, c)
	}
	c.Meta = proxy.Meta{Provider: "a", Attempts: 1}
	return jsonrpc.NewResult(c.Request.ID, json.RawMessage(`"0x1"`)), nil
}

func (f *fake) Calls() []*proxy.Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*proxy.Call(nil), f.calls...)
}

// syncBuffer is a log sink safe for concurrent writers and readers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// lines decodes every JSON log line.
func (s *syncBuffer) lines(t testing.TB) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(s.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, l)
		}
		out = append(out, m)
	}
	return out
}

// withMsg returns the log lines whose msg is msg.
func withMsg(lines []map[string]any, msg string) []map[string]any {
	var out []map[string]any
	for _, l := range lines {
		if l["msg"] == msg {
			out = append(out, l)
		}
	}
	return out
}

// rig is a Handler over the test config, a fake pipeline, a fake clock and a
// JSON log.
type rig struct {
	h     *Handler
	pipe  *fake
	clock *clock
	logs  *syncBuffer
}

func newRig(t testing.TB, mod func(*Options)) *rig {
	t.Helper()
	cfg := testConfig(t)
	r := &rig{pipe: &fake{}, clock: &clock{}, logs: &syncBuffer{}}
	opts := Options{
		Config:   func() *profile.Config { return cfg },
		Pipeline: r.pipe,
		Log:      slog.New(slog.NewJSONHandler(r.logs, nil)),
		Now:      r.clock.Now,
		NodeID:   "local",
		Version:  "test",
	}
	if mod != nil {
		mod(&opts)
	}
	r.h = New(opts)
	return r
}

// post sends body to target with Content-Type application/json; hdr is
// pairs of extra header names and values.
func (r *rig) post(target, body string, hdr ...string) *httptest.ResponseRecorder {
	return r.do(http.MethodPost, target, body, append([]string{"Content-Type", "application/json"}, hdr...)...)
}

func (r *rig) do(method, target, body string, hdr ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	r.h.ServeHTTP(w, req)
	return w
}

// wireResp is a decoded JSON-RPC response.
type wireResp struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  json.RawMessage `json:"result"`
	Error   *struct {
		Code    int             `json:"code"`
		Message string          `json:"message"`
		Data    json.RawMessage `json:"data"`
	} `json:"error"`
}

func decodeOne(t testing.TB, w *httptest.ResponseRecorder) wireResp {
	t.Helper()
	var r wireResp
	if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil {
		t.Fatalf("response is not one JSON-RPC object: %v: %q", err, w.Body.String())
	}
	return r
}

func decodeBatch(t testing.TB, w *httptest.ResponseRecorder) []wireResp {
	t.Helper()
	var rs []wireResp
	if err := json.Unmarshal(w.Body.Bytes(), &rs); err != nil {
		t.Fatalf("response is not a JSON-RPC batch: %v: %q", err, w.Body.String())
	}
	return rs
}

// wantRPCError checks status and the error of a single JSON-RPC response.
func wantRPCError(t testing.TB, w *httptest.ResponseRecorder, status, code int, msg string) wireResp {
	t.Helper()
	if w.Code != status {
		t.Errorf("HTTP status: got %d, want %d (body %s)", w.Code, status, w.Body)
	}
	r := decodeOne(t, w)
	if r.Error == nil {
		t.Fatalf("got no error member, want code %d; body %s", code, w.Body)
	}
	if r.Error.Code != code || (msg != "" && r.Error.Message != msg) {
		t.Errorf("error: got %d %q, want %d %q", r.Error.Code, r.Error.Message, code, msg)
	}
	if r.JSONRPC != "2.0" {
		t.Errorf("jsonrpc: got %q, want 2.0", r.JSONRPC)
	}
	return r
}

// reusableBody is a request body that can be rewound, so benchmarks do not
// allocate a reader per iteration.
type reusableBody struct{ bytes.Reader }

func (*reusableBody) Close() error { return nil }

var _ io.ReadCloser = (*reusableBody)(nil)

// newChunked is a POST to /rpc/eth with no Content-Length.
func newChunked(body string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/rpc/eth", io.MultiReader(strings.NewReader(body)))
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	return req
}

func serve(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}
