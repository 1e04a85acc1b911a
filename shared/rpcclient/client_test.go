package rpcclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/proxy"
	"github.com/lasso-serverless/lasso/shared/rpcclient/providertest"
)

// Secrets placed in provider URLs; no error text may ever carry them.
const (
	pathSecret  = "SECRETKEY1234567890"
	querySecret = "QSECRET99"
	userSecret  = "USERPASS777"
)

const rpcBody = `{"jsonrpc":"2.0","id":"lasso-1","method":"eth_blockNumber","params":[]}`

// secretPath is appended to a provider's base URL the way Alchemy and Infura
// carry keys.
const secretPath = "/v2/" + pathSecret + "?key=" + querySecret

// standardHeaders are what profile compilation gives every provider.
var standardHeaders = []profile.Header{
	{Name: "content-type", Value: "application/json"},
	{Name: "accept", Value: "application/json"},
}

func newProvider(rawURL string, headers ...profile.Header) *profile.Provider {
	if headers == nil {
		headers = standardHeaders
	}
	return &profile.Provider{ID: "p1", Name: "p1", URL: rawURL, Headers: headers, Redacted: profile.RedactURL(rawURL)}
}

func newClient(t testing.TB, opts Options) *Client {
	t.Helper()
	c := New(opts)
	t.Cleanup(c.Close)
	return c
}

// assertNoSecret fails when err's text shows any part of the provider URL
// that can carry a key.
func assertNoSecret(t *testing.T, err error, p *profile.Provider) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	for _, s := range []string{pathSecret, querySecret, userSecret} {
		if strings.Contains(msg, s) {
			t.Errorf("error %q contains secret %q", msg, s)
		}
	}
	if p.URL != "" && strings.Contains(msg, p.URL) {
		t.Errorf("error %q contains the provider URL %q", msg, p.URL)
	}
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

func TestNewDefaults(t *testing.T) {
	tests := []struct {
		name                string
		opts                Options
		wantIdlePerHost     int
		wantIdleTotal       int
		wantMaxResponseSize int64
	}{
		{name: "zero options", opts: Options{}, wantIdlePerHost: 256, wantIdleTotal: 1024, wantMaxResponseSize: 64 << 20},
		{name: "negative means default", opts: Options{MaxIdleConnsPerHost: -1, MaxResponseBytes: -5}, wantIdlePerHost: 256, wantIdleTotal: 1024, wantMaxResponseSize: 64 << 20},
		{name: "explicit", opts: Options{MaxIdleConnsPerHost: 8, MaxResponseBytes: 1000}, wantIdlePerHost: 8, wantIdleTotal: 32, wantMaxResponseSize: 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, tt.opts)
			tr, ok := c.hc.Transport.(*http.Transport)
			if !ok {
				t.Fatalf("transport is %T, want *http.Transport", c.hc.Transport)
			}
			if tr.MaxIdleConnsPerHost != tt.wantIdlePerHost {
				t.Errorf("MaxIdleConnsPerHost: got %d, want %d", tr.MaxIdleConnsPerHost, tt.wantIdlePerHost)
			}
			if tr.MaxIdleConns != tt.wantIdleTotal {
				t.Errorf("MaxIdleConns: got %d, want %d", tr.MaxIdleConns, tt.wantIdleTotal)
			}
			if c.maxBytes != tt.wantMaxResponseSize {
				t.Errorf("maxBytes: got %d, want %d", c.maxBytes, tt.wantMaxResponseSize)
			}
			if c.hc.Timeout != 0 {
				t.Errorf("http.Client.Timeout: got %v, want 0 (deadlines come from the context)", c.hc.Timeout)
			}
		})
	}
}

func TestSendHeaders(t *testing.T) {
	tests := []struct {
		name    string
		headers []profile.Header
		want    map[string]string // canonical name -> value
	}{
		{
			name:    "standard",
			headers: standardHeaders,
			want:    map[string]string{"Content-Type": "application/json", "Accept": "application/json"},
		},
		{
			name: "api key bearer",
			headers: append(append([]profile.Header(nil), standardHeaders...),
				profile.Header{Name: "authorization", Value: "Bearer tok_abcdef123456"}),
			want: map[string]string{"Content-Type": "application/json", "Accept": "application/json", "Authorization": "Bearer tok_abcdef123456"},
		},
		{
			name: "custom headers",
			headers: append(append([]profile.Header(nil), standardHeaders...),
				profile.Header{Name: "x-api-key", Value: "k-123456"},
				profile.Header{Name: "x-client", Value: "lasso"}),
			want: map[string]string{"Content-Type": "application/json", "Accept": "application/json", "X-Api-Key": "k-123456", "X-Client": "lasso"},
		},
		{
			name: "later entry with the same name wins",
			headers: []profile.Header{
				{Name: "content-type", Value: "application/json"},
				{Name: "accept", Value: "application/json"},
				{Name: "authorization", Value: "Bearer from-api-key"},
				{Name: "authorization", Value: "Basic from-auth-headers"},
			},
			want: map[string]string{"Content-Type": "application/json", "Authorization": "Basic from-auth-headers"},
		},
		{
			name:    "content-type overridden by headers",
			headers: []profile.Header{{Name: "content-type", Value: "application/json"}, {Name: "content-type", Value: "application/json; charset=utf-8"}},
			want:    map[string]string{"Content-Type": "application/json; charset=utf-8"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := providertest.New(t, providertest.Result(`"0x10"`))
			c := newClient(t, Options{})
			reply, err := c.Send(context.Background(), newProvider(up.URL(), tt.headers...), []byte(rpcBody))
			if err != nil {
				t.Fatalf("Send: got error %v, want nil", err)
			}
			if reply.Status != http.StatusOK {
				t.Errorf("Status: got %d, want 200", reply.Status)
			}
			got := up.Received()
			if len(got) != 1 {
				t.Fatalf("requests received: got %d, want 1", len(got))
			}
			for name, want := range tt.want {
				if vs := got[0].Header.Values(name); len(vs) != 1 || vs[0] != want {
					t.Errorf("header %s: got %q, want [%q]", name, vs, want)
				}
			}
		})
	}
}

// TestSendRequestShape checks method, path, query and body reach the
// provider unchanged.
func TestSendRequestShape(t *testing.T) {
	tests := []struct {
		name string
		path string // appended to the server URL
		body string
	}{
		{name: "bare host", path: "", body: rpcBody},
		{name: "key in path and query", path: secretPath, body: rpcBody},
		{name: "batch body", path: "/rpc", body: `[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},{"jsonrpc":"2.0","id":2,"method":"net_version"}]`},
		{name: "odd bytes", path: "/", body: "{\"jsonrpc\":\"2.0\",\"id\":\"\\u00e9\",\"method\":\"x\",\"params\":[\"\xc3\xa9 \\n\"]}\n"},
		{name: "empty body", path: "/", body: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			type seen struct {
				method, path, query, contentLength string
				body                               []byte
			}
			ch := make(chan seen, 1)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				ch <- seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Content-Length"), b}
				_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":"lasso-1","result":"0x1"}`)
			}))
			defer srv.Close()
			c := newClient(t, Options{})
			if _, err := c.Send(context.Background(), newProvider(srv.URL+tt.path), []byte(tt.body)); err != nil {
				t.Fatalf("Send: got error %v, want nil", err)
			}
			got := <-ch
			wantPath, wantQuery := "/", ""
			if tt.path != "" {
				wantPath, wantQuery, _ = strings.Cut(tt.path, "?")
			}
			if got.method != http.MethodPost {
				t.Errorf("method: got %s, want POST", got.method)
			}
			if got.path != wantPath {
				t.Errorf("path: got %q, want %q", got.path, wantPath)
			}
			if got.query != wantQuery {
				t.Errorf("query: got %q, want %q", got.query, wantQuery)
			}
			if !bytes.Equal(got.body, []byte(tt.body)) {
				t.Errorf("body: got %q, want %q", got.body, tt.body)
			}
			if len(tt.body) > 0 && got.contentLength != fmt.Sprint(len(tt.body)) {
				t.Errorf("Content-Length: got %q, want %d (not chunked)", got.contentLength, len(tt.body))
			}
		})
	}
}

func TestSendStatuses(t *testing.T) {
	tests := []struct {
		name           string
		status         int
		body           string
		retryAfter     string
		wantRetryAfter time.Duration
	}{
		{name: "200 result", status: 200, body: `{"jsonrpc":"2.0","id":"lasso-1","result":"0x10"}`},
		{name: "200 rpc error", status: 200, body: `{"jsonrpc":"2.0","id":"lasso-1","error":{"code":-32000,"message":"x"}}`},
		{name: "200 garbage", status: 200, body: `<html>oops</html>`},
		{name: "204 empty", status: 204, body: ``},
		{name: "400 with rpc error", status: 400, body: `{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"bad"}}`},
		{name: "401", status: 401, body: `unauthorized`},
		{name: "429 seconds", status: 429, body: `{"error":"slow down"}`, retryAfter: "7", wantRetryAfter: 7 * time.Second},
		{name: "429 no header", status: 429, body: `too many`},
		{name: "429 invalid header", status: 429, body: `too many`, retryAfter: "soon"},
		{name: "500", status: 500, body: `internal`},
		{name: "503 with retry-after", status: 503, body: `maintenance`, retryAfter: "120", wantRetryAfter: 2 * time.Minute},
		{name: "504", status: 504, body: ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			c := newClient(t, Options{})
			reply, err := c.Send(context.Background(), newProvider(srv.URL), []byte(rpcBody))
			if err != nil {
				t.Fatalf("Send: got error %v, want nil for an HTTP answer", err)
			}
			if reply.Status != tt.status {
				t.Errorf("Status: got %d, want %d", reply.Status, tt.status)
			}
			if string(reply.Body) != tt.body {
				t.Errorf("Body: got %q, want %q", reply.Body, tt.body)
			}
			if reply.RetryAfter != tt.wantRetryAfter {
				t.Errorf("RetryAfter: got %v, want %v", reply.RetryAfter, tt.wantRetryAfter)
			}
		})
	}
}

// TestSendProviderTestBehaviours runs Send against each scripted behaviour.
func TestSendProviderTestBehaviours(t *testing.T) {
	tests := []struct {
		name       string
		behaviour  providertest.Behaviour
		wantStatus int
		wantBody   string
	}{
		{name: "result", behaviour: providertest.Result(`"0x10"`), wantStatus: 200, wantBody: `{"jsonrpc":"2.0","id":"lasso-1","result":"0x10"}`},
		{name: "rpc error", behaviour: providertest.RPCError(-32005, "limit", ""), wantStatus: 200, wantBody: `{"jsonrpc":"2.0","id":"lasso-1","error":{"code":-32005,"message":"limit"}}`},
		{name: "503", behaviour: providertest.Status(503, "down"), wantStatus: 503, wantBody: "down"},
		{name: "429", behaviour: providertest.Status(429, "slow"), wantStatus: 429, wantBody: "slow"},
		{name: "raw", behaviour: providertest.Raw("not json"), wantStatus: 200, wantBody: "not json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := providertest.New(t, tt.behaviour)
			c := newClient(t, Options{})
			reply, err := c.Send(context.Background(), newProvider(up.URL()), []byte(rpcBody))
			if err != nil {
				t.Fatalf("Send: got error %v, want nil", err)
			}
			if reply.Status != tt.wantStatus || string(reply.Body) != tt.wantBody {
				t.Errorf("got %d %q, want %d %q", reply.Status, reply.Body, tt.wantStatus, tt.wantBody)
			}
			if got := up.Methods(); len(got) != 1 || got[0] != "eth_blockNumber" {
				t.Errorf("methods received: got %q, want [eth_blockNumber]", got)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	tests := []struct {
		name string
		in   string
		want time.Duration
	}{
		{name: "absent", in: "", want: 0},
		{name: "seconds", in: "7", want: 7 * time.Second},
		{name: "zero seconds", in: "0", want: 0},
		{name: "large seconds", in: "86400", want: 24 * time.Hour},
		{name: "leading zeros", in: "007", want: 7 * time.Second},
		{name: "negative seconds", in: "-1", want: 0},
		{name: "fractional seconds", in: "1.5", want: 0},
		{name: "garbage", in: "soon", want: 0},
		{name: "unit suffix", in: "7s", want: 0},
		{name: "IMF-fixdate ahead", in: now.Add(5 * time.Second).Format(http.TimeFormat), want: 5 * time.Second},
		{name: "IMF-fixdate far ahead", in: now.Add(time.Hour).Format(http.TimeFormat), want: time.Hour},
		{name: "RFC 850 date ahead", in: now.Add(30 * time.Second).Format(time.RFC850), want: 30 * time.Second},
		{name: "asctime date ahead", in: now.Add(2 * time.Minute).Format(time.ANSIC), want: 2 * time.Minute},
		{name: "date now", in: now.Format(http.TimeFormat), want: 0},
		{name: "date in the past", in: now.Add(-time.Minute).Format(http.TimeFormat), want: 0},
		{name: "malformed date", in: "Tue, 99 Mar 2025 05:06:12 GMT", want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retryAfter(tt.in, now); got != tt.want {
				t.Errorf("retryAfter(%q): got %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// TestSendRetryAfterHTTPDate uses the wall clock, as Send does.
func TestSendRetryAfterHTTPDate(t *testing.T) {
	const ahead = 5 * time.Second
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", time.Now().Add(ahead).UTC().Format(http.TimeFormat))
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	c := newClient(t, Options{})
	reply, err := c.Send(context.Background(), newProvider(srv.URL), []byte(rpcBody))
	if err != nil {
		t.Fatalf("Send: got error %v, want nil", err)
	}
	if reply.Status != 429 {
		t.Errorf("Status: got %d, want 429", reply.Status)
	}
	if reply.RetryAfter <= 0 || reply.RetryAfter > ahead {
		t.Errorf("RetryAfter: got %v, want in (0, %v]", reply.RetryAfter, ahead)
	}
}

// TestSendNotSent covers failures before any byte left the process: they
// wrap proxy.ErrNotSent and never show the URL's path, query or user info.
func TestSendNotSent(t *testing.T) {
	addr := closedAddr(t)
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name         string
		url          string
		ctx          context.Context
		wantRedacted bool // the error names Provider.Redacted
	}{
		{name: "connection refused", url: "http://" + addr + secretPath, wantRedacted: true},
		{name: "connection refused with user info", url: "http://user:" + userSecret + "@" + addr + "/v3/" + pathSecret, wantRedacted: true},
		{name: "connection refused https", url: "https://" + addr + secretPath, wantRedacted: true},
		{name: "context canceled before send", url: "http://" + addr + secretPath, ctx: canceled, wantRedacted: true},
		{name: "unsupported scheme", url: "ftp://" + addr + secretPath, wantRedacted: true},
		{name: "unparseable URL", url: "http://" + addr + "/v2/" + pathSecret + "\n?key=" + querySecret, wantRedacted: true},
		{name: "empty URL", url: ""},
		{name: "invalid port", url: "http://127.0.0.1:99999" + secretPath, wantRedacted: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			p := newProvider(tt.url)
			c := newClient(t, Options{})
			reply, err := c.Send(ctx, p, []byte(rpcBody))
			if err == nil {
				t.Fatalf("Send: got reply %+v, want an error", reply)
			}
			if !errors.Is(err, proxy.ErrNotSent) {
				t.Errorf("errors.Is(%q, ErrNotSent): got false, want true", err)
			}
			assertNoSecret(t, err, p)
			if tt.wantRedacted && !strings.Contains(err.Error(), p.Redacted) {
				t.Errorf("error %q: want it to name %q", err, p.Redacted)
			}
			if reply.Status != 0 || reply.Body != nil {
				t.Errorf("reply: got %+v, want zero", reply)
			}
		})
	}
}

// hijackServer reads each request and then runs act on the raw connection.
func hijackServer(t *testing.T, act func(conn net.Conn, rw io.Writer)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		defer conn.Close()
		act(conn, buf)
		_ = buf.Flush()
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestSendSentThenFailed covers failures after the request was written: the
// error must not wrap ErrNotSent, since the provider may have executed it.
func TestSendSentThenFailed(t *testing.T) {
	tests := []struct {
		name   string
		act    func(conn net.Conn, w io.Writer)
		wantIs error // optional extra errors.Is target
	}{
		{name: "closed after reading request", act: func(net.Conn, io.Writer) {}, wantIs: io.EOF},
		{name: "reset after reading request", act: func(conn net.Conn, _ io.Writer) {
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
		}},
		{name: "partial status line", act: func(_ net.Conn, w io.Writer) { _, _ = io.WriteString(w, "HTTP/1.1 2") }},
		{name: "garbage instead of HTTP", act: func(_ net.Conn, w io.Writer) { _, _ = io.WriteString(w, "SSH-2.0-OpenSSH\r\n\r\n") }},
		{name: "body cut short", act: func(_ net.Conn, w io.Writer) {
			_, _ = io.WriteString(w, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nContent-Type: application/json\r\n\r\n{\"jsonrpc\":")
		}, wantIs: io.ErrUnexpectedEOF},
		{name: "chunked body cut short", act: func(_ net.Conn, w io.Writer) {
			_, _ = io.WriteString(w, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"jsonrpc\":")
		}, wantIs: io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := hijackServer(t, tt.act)
			p := newProvider(srv.URL + secretPath)
			c := newClient(t, Options{})
			reply, err := c.Send(context.Background(), p, []byte(rpcBody))
			if err == nil {
				t.Fatalf("Send: got reply %d %q, want an error", reply.Status, reply.Body)
			}
			if errors.Is(err, proxy.ErrNotSent) {
				t.Errorf("errors.Is(%q, ErrNotSent): got true, want false (the request was written)", err)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("errors.Is(%q, %v): got false, want true", err, tt.wantIs)
			}
			assertNoSecret(t, err, p)
		})
	}
}

// TestSendClosedOnReusedConnection: the provider answers once on a
// keep-alive connection, then drops the next request after reading it. A POST
// is not replayable, so the transport must not resend it behind our back, and
// the error must say it was sent.
func TestSendClosedOnReusedConnection(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if calls.Add(1) == 1 {
			_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":"lasso-1","result":"0x1"}`)
			return
		}
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer srv.Close()
	p := newProvider(srv.URL + secretPath)
	c := newClient(t, Options{})
	if _, err := c.Send(context.Background(), p, []byte(rpcBody)); err != nil {
		t.Fatalf("first Send: got error %v, want nil", err)
	}
	_, err := c.Send(context.Background(), p, []byte(rpcBody))
	if err == nil {
		t.Fatal("second Send: got nil error, want one")
	}
	if errors.Is(err, proxy.ErrNotSent) {
		t.Errorf("errors.Is(%q, ErrNotSent): got true, want false", err)
	}
	assertNoSecret(t, err, p)
	if got := calls.Load(); got != 2 {
		t.Errorf("requests received: got %d, want 2 (no silent resend of a POST)", got)
	}
}

// rawHang accepts connections and never reads from or writes to them.
func rawHang(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// TestSendTLSNotSent: a TLS handshake that fails or stalls sends no byte of
// the request, so the error wraps ErrNotSent.
func TestSendTLSNotSent(t *testing.T) {
	tests := []struct {
		name string
		url  func(t *testing.T) string
	}{
		{name: "handshake never answered", url: func(t *testing.T) string { return "https://" + rawHang(t) }},
		{name: "plain HTTP server", url: func(t *testing.T) string {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
			t.Cleanup(srv.Close)
			return strings.Replace(srv.URL, "http://", "https://", 1)
		}},
		{name: "untrusted certificate", url: func(t *testing.T) string {
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
			srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake failure is the point
			srv.StartTLS()
			t.Cleanup(srv.Close)
			return srv.URL
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProvider(tt.url(t) + secretPath)
			c := newClient(t, Options{})
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			_, err := c.Send(ctx, p, []byte(rpcBody))
			if err == nil {
				t.Fatal("Send: got nil error, want one")
			}
			t.Logf("error: %v", err)
			if !errors.Is(err, proxy.ErrNotSent) {
				t.Errorf("errors.Is(%q, ErrNotSent): got false, want true", err)
			}
			assertNoSecret(t, err, p)
		})
	}
}

// TestSendHang: a provider that takes the request and never answers.
func TestSendHang(t *testing.T) {
	tests := []struct {
		name string
		url  func(t *testing.T) string
	}{
		{name: "reads request then hangs", url: func(t *testing.T) string { return providertest.New(t, providertest.Hang()).URL() }},
		{name: "status sent then body hangs", url: func(t *testing.T) string {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "100")
				_, _ = io.WriteString(w, `{"jsonrpc":`)
				http.NewResponseController(w).Flush()
				<-r.Context().Done()
			}))
			t.Cleanup(func() { srv.CloseClientConnections(); srv.Close() })
			return srv.URL
		}},
		{name: "accepts and never reads", url: func(t *testing.T) string { return "http://" + rawHang(t) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProvider(tt.url(t) + secretPath)
			c := newClient(t, Options{})
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			start := time.Now()
			reply, err := c.Send(ctx, p, []byte(rpcBody))
			elapsed := time.Since(start)
			if err == nil {
				t.Fatalf("Send: got reply %d %q, want an error", reply.Status, reply.Body)
			}
			if errors.Is(err, proxy.ErrNotSent) {
				t.Errorf("errors.Is(%q, ErrNotSent): got true, want false (the request was written)", err)
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("errors.Is(%q, context.DeadlineExceeded): got false, want true", err)
			}
			if elapsed > 5*time.Second {
				t.Errorf("Send returned after %v, want about 100ms", elapsed)
			}
			assertNoSecret(t, err, p)
		})
	}
}

func TestSendResponseSizeLimit(t *testing.T) {
	tests := []struct {
		name    string
		max     int64
		size    int
		chunked bool
		wantErr bool
	}{
		{name: "under the limit", max: 64, size: 63},
		{name: "at the limit", max: 64, size: 64},
		{name: "one over", max: 64, size: 65, wantErr: true},
		{name: "far over", max: 64, size: 1 << 20, wantErr: true},
		{name: "one over chunked", max: 64, size: 65, chunked: true, wantErr: true},
		{name: "at the limit chunked", max: 64, size: 64, chunked: true},
		{name: "default limit takes a 2 MiB answer", max: 0, size: 2 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			payload := bytes.Repeat([]byte("a"), tt.size)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				if tt.chunked {
					// Two flushed writes force chunked encoding.
					_, _ = w.Write(payload[:1])
					http.NewResponseController(w).Flush()
					_, _ = w.Write(payload[1:])
					return
				}
				w.Header().Set("Content-Length", fmt.Sprint(len(payload)))
				_, _ = w.Write(payload)
			}))
			defer srv.Close()
			p := newProvider(srv.URL + secretPath)
			c := newClient(t, Options{MaxResponseBytes: tt.max})
			reply, err := c.Send(context.Background(), p, []byte(rpcBody))
			if tt.wantErr {
				if !errors.Is(err, ErrResponseTooLarge) {
					t.Fatalf("Send: got error %v, want ErrResponseTooLarge", err)
				}
				if errors.Is(err, proxy.ErrNotSent) {
					t.Errorf("errors.Is(%q, ErrNotSent): got true, want false", err)
				}
				if reply.Body != nil {
					t.Errorf("reply body: got %d bytes, want none", len(reply.Body))
				}
				assertNoSecret(t, err, p)
				if !strings.Contains(err.Error(), p.Redacted) {
					t.Errorf("error %q: want it to name %q", err, p.Redacted)
				}
				return
			}
			if err != nil {
				t.Fatalf("Send: got error %v, want nil", err)
			}
			if len(reply.Body) != tt.size {
				t.Errorf("body: got %d bytes, want %d", len(reply.Body), tt.size)
			}
		})
	}
}

// TestSendAfterTooLarge: a refused oversized answer does not poison the
// client.
func TestSendAfterTooLarge(t *testing.T) {
	up := providertest.New(t, providertest.Raw(strings.Repeat("x", 200)))
	c := newClient(t, Options{MaxResponseBytes: 100})
	p := newProvider(up.URL())
	if _, err := c.Send(context.Background(), p, []byte(rpcBody)); !errors.Is(err, ErrResponseTooLarge) {
		t.Fatalf("first Send: got %v, want ErrResponseTooLarge", err)
	}
	up.SetBehaviour(providertest.Result(`"0x1"`))
	reply, err := c.Send(context.Background(), p, []byte(rpcBody))
	if err != nil {
		t.Fatalf("second Send: got error %v, want nil", err)
	}
	if want := `{"jsonrpc":"2.0","id":"lasso-1","result":"0x1"}`; string(reply.Body) != want {
		t.Errorf("second Send body: got %q, want %q", reply.Body, want)
	}
}

func TestSendDoesNotFollowRedirects(t *testing.T) {
	tests := []struct {
		status int
	}{{301}, {302}, {303}, {307}, {308}}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			var followed atomic.Int32
			mux := http.NewServeMux()
			mux.HandleFunc("/elsewhere", func(w http.ResponseWriter, r *http.Request) {
				followed.Add(1)
				_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":"lasso-1","result":"0xbad"}`)
			})
			mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				w.Header().Set("Location", "/elsewhere")
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, "moved")
			})
			srv := httptest.NewServer(mux)
			defer srv.Close()
			c := newClient(t, Options{})
			reply, err := c.Send(context.Background(), newProvider(srv.URL+secretPath), []byte(rpcBody))
			if err != nil {
				t.Fatalf("Send: got error %v, want nil", err)
			}
			if reply.Status != tt.status {
				t.Errorf("Status: got %d, want %d", reply.Status, tt.status)
			}
			if string(reply.Body) != "moved" {
				t.Errorf("Body: got %q, want %q", reply.Body, "moved")
			}
			if n := followed.Load(); n != 0 {
				t.Errorf("redirect target hits: got %d, want 0", n)
			}
		})
	}
}

// countingServer counts new TCP connections.
func countingServer(t testing.TB, h http.Handler) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			n.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestSendKeepAlive(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
	}{
		{name: "small 200", status: 200, body: `{"jsonrpc":"2.0","id":"lasso-1","result":"0x1"}`},
		{name: "large 200", status: 200, body: `"` + strings.Repeat("ab", 64<<10) + `"`},
		{name: "503", status: 503, body: "unavailable"},
		{name: "429", status: 429, body: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, conns := countingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}))
			c := newClient(t, Options{})
			p := newProvider(srv.URL)
			for i := range 20 {
				reply, err := c.Send(context.Background(), p, []byte(rpcBody))
				if err != nil {
					t.Fatalf("Send %d: got error %v, want nil", i, err)
				}
				if reply.Status != tt.status {
					t.Fatalf("Send %d: got status %d, want %d", i, reply.Status, tt.status)
				}
			}
			if n := conns.Load(); n > 2 {
				t.Errorf("connections for 20 sequential sends: got %d, want 1 (at most 2)", n)
			} else if n != 1 {
				t.Logf("connections for 20 sequential sends: got %d, want 1", n)
			}
		})
	}
}

// TestCloseDropsIdleConnections: after Close the next Send dials again.
func TestCloseDropsIdleConnections(t *testing.T) {
	srv, conns := countingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, `{}`)
	}))
	c := newClient(t, Options{})
	p := newProvider(srv.URL)
	for i := range 3 {
		if _, err := c.Send(context.Background(), p, []byte(rpcBody)); err != nil {
			t.Fatalf("Send %d: %v", i, err)
		}
		c.Close()
	}
	if n := conns.Load(); n != 3 {
		t.Errorf("connections with Close between sends: got %d, want 3", n)
	}
}

// TestSendConcurrent checks each caller gets its own answer (run with -race).
func TestSendConcurrent(t *testing.T) {
	up := providertest.New(t, providertest.ByMethod(map[string]providertest.Behaviour{
		"eth_fail": providertest.Status(503, "down"),
	}, providertest.Result(`"ok"`)))
	srv2 := providertest.New(t, providertest.Result(`"two"`))
	c := newClient(t, Options{MaxIdleConnsPerHost: 4})
	p1, p2 := newProvider(up.URL()), newProvider(srv2.URL())
	const workers, each = 16, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				id := fmt.Sprintf(`"w%d-%d"`, w, i)
				method, p, wantStatus, wantBody := "eth_blockNumber", p1, 200, `{"jsonrpc":"2.0","id":`+id+`,"result":"ok"}`
				switch i % 3 {
				case 1:
					method, wantStatus, wantBody = "eth_fail", 503, "down"
				case 2:
					p, wantBody = p2, `{"jsonrpc":"2.0","id":`+id+`,"result":"two"}`
				}
				body := `{"jsonrpc":"2.0","id":` + id + `,"method":"` + method + `","params":[]}`
				reply, err := c.Send(context.Background(), p, []byte(body))
				if err != nil {
					errs <- fmt.Errorf("%s: %w", id, err)
					continue
				}
				if reply.Status != wantStatus || string(reply.Body) != wantBody {
					errs <- fmt.Errorf("%s: got %d %q, want %d %q", id, reply.Status, reply.Body, wantStatus, wantBody)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got, want := up.Count()+srv2.Count(), workers*each; got != want {
		t.Errorf("requests received: got %d, want %d", got, want)
	}
}

// TestSendConcurrentCancel mixes canceled and successful calls on one client.
func TestSendConcurrentCancel(t *testing.T) {
	up := providertest.New(t, providertest.ByMethod(map[string]providertest.Behaviour{
		"hang": providertest.Hang(),
	}, providertest.Result(`"0x1"`)))
	c := newClient(t, Options{})
	p := newProvider(up.URL())
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
				defer cancel()
				if _, err := c.Send(ctx, p, []byte(`{"jsonrpc":"2.0","id":1,"method":"hang"}`)); err == nil {
					t.Errorf("hang call %d: got nil error, want one", i)
				}
				return
			}
			reply, err := c.Send(context.Background(), p, []byte(rpcBody))
			if err != nil || reply.Status != 200 {
				t.Errorf("call %d: got %d, %v; want 200, nil", i, reply.Status, err)
			}
		}()
	}
	wg.Wait()
}

func BenchmarkSend(b *testing.B) {
	up := providertest.New(b, providertest.Result(`"0x1234"`))
	c := New(Options{})
	defer c.Close()
	p := newProvider(up.URL())
	body := []byte(rpcBody)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Send(ctx, p, body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSendParallel(b *testing.B) {
	up := providertest.New(b, providertest.Result(`"0x1234"`))
	c := New(Options{})
	defer c.Close()
	p := newProvider(up.URL())
	body := []byte(rpcBody)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Send(context.Background(), p, body); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
