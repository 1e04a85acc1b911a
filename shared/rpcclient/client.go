package rpcclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/proxy"
)

// Options tunes a Client. Zero values mean the documented defaults.
type Options struct {
	// MaxIdleConnsPerHost is the keep-alive pool per provider host (default
	// 256, Lasso's LASSO_HTTP_POOL_SIZE).
	MaxIdleConnsPerHost int
	// MaxResponseBytes caps a provider's answer (default 64 MiB); a larger one
	// is a failed attempt, not a memory spike.
	MaxResponseBytes int64
}

// Client is an HTTP JSON-RPC client shared by all calls.
type Client struct {
	hc       *http.Client
	maxBytes int64
	// built caches headers per provider; a reloaded Config brings new
	// providers, and the old entries are a few hundred bytes each.
	built sync.Map
}

var _ proxy.Transport = (*Client)(nil)

// New returns a Client with its own connection pool.
func New(opts Options) *Client {
	if opts.MaxIdleConnsPerHost <= 0 {
		opts.MaxIdleConnsPerHost = 256
	}
	if opts.MaxResponseBytes <= 0 {
		opts.MaxResponseBytes = 64 << 20
	}
	t := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          4 * opts.MaxIdleConnsPerHost,
		MaxIdleConnsPerHost:   opts.MaxIdleConnsPerHost,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &Client{
		// Deadlines come from each call's context; redirects are not followed
		// because a JSON-RPC POST has no business being redirected.
		hc: &http.Client{Transport: t, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
		maxBytes: opts.MaxResponseBytes,
	}
}

// Close drops idle connections.
func (c *Client) Close() { c.hc.CloseIdleConnections() }

// ErrResponseTooLarge means a provider's answer passed MaxResponseBytes.
var ErrResponseTooLarge = errors.New("upstream response too large")

// Send implements proxy.Transport.
func (c *Client) Send(ctx context.Context, p *profile.Provider, body []byte) (proxy.Reply, error) {
	// The trace callback runs on the transport's goroutine.
	var wrote atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteHeaders: func() { wrote.Store(true) },
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL, bytes.NewReader(body))
	if err != nil {
		return proxy.Reply{}, fmt.Errorf("build request for %s: %w", p.Redacted, proxy.ErrNotSent)
	}
	hd := c.headers(p)
	req.Header = hd.header
	if hd.host != "" {
		req.Host = hd.host // net/http ignores a Host header entry
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		err = scrub(err, p.Redacted)
		if !wrote.Load() {
			return proxy.Reply{}, fmt.Errorf("%w: %w", proxy.ErrNotSent, err)
		}
		return proxy.Reply{}, err
	}
	defer resp.Body.Close()
	data, err := c.read(resp)
	if err != nil {
		return proxy.Reply{}, fmt.Errorf("%s: %w", p.Redacted, scrub(err, p.Redacted))
	}
	return proxy.Reply{Status: resp.StatusCode, Body: data, RetryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now())}, nil
}

// providerHeaders are a provider's upstream headers, built once.
type providerHeaders struct {
	header http.Header
	host   string
}

// headers returns p's headers, shared by all its requests: the transport only
// reads a request's Header, so one map serves every call without copying.
func (c *Client) headers(p *profile.Provider) providerHeaders {
	if hd, ok := c.built.Load(p); ok {
		return hd.(providerHeaders)
	}
	hd := providerHeaders{header: make(http.Header, len(p.Headers))}
	for _, h := range p.Headers {
		if h.Name == "host" {
			hd.host = h.Value
			continue
		}
		hd.header.Set(h.Name, h.Value)
	}
	c.built.Store(p, hd)
	return hd
}

// read reads a provider's body in one allocation when its length is
// declared (large eth_getLogs answers would otherwise be copied as the buffer
// grows), and refuses one over the limit.
func (c *Client) read(resp *http.Response) ([]byte, error) {
	if n := resp.ContentLength; n > c.maxBytes {
		return nil, ErrResponseTooLarge
	} else if n >= 0 {
		data := make([]byte, n)
		_, err := io.ReadFull(resp.Body, data)
		return data, err
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBytes+1))
	if err == nil && int64(len(data)) > c.maxBytes {
		return nil, ErrResponseTooLarge
	}
	return data, err
}

// scrub replaces the URL in net/http's errors with the redacted one.
func scrub(err error, redacted string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s %s: %w", ue.Op, redacted, ue.Err)
	}
	return err
}

// maxRetryAfter caps a provider's Retry-After (seconds): a day is already
// "not today", and larger values would overflow a Duration.
const maxRetryAfter = 86400

// retryAfter reads a Retry-After header: delay seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(min(s, maxRetryAfter)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), maxRetryAfter*time.Second)
	}
	return 0
}
