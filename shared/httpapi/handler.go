package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/proxy"
	"github.com/lasso-serverless/lasso/shared/ratelimit"
	"github.com/lasso-serverless/lasso/shared/routing"
)

// Options configures the Handler. Zero values mean Lasso's defaults.
type Options struct {
	// Config returns the profiles in force. It is called per request, so a
	// caller that swaps the Config (a reload) needs no restart.
	Config   func() *profile.Config
	Pipeline proxy.Handler
	Log      *slog.Logger
	NodeID   string
	Version  string
	Now      func() time.Time
	// DefaultStrategy serves routes that name none (default load_balanced).
	DefaultStrategy string

	MaxBodyBytes     int64 // default 8,000,000
	MaxBatch         int   // default 50
	BatchConcurrency int   // default 4
	InflightBytes    int64 // default 128 MiB across all requests

	// Limiter enforces each profile's rps_limit and burst_limit per client
	// (see clientlimit.go); nil means no client rate limits.
	Limiter ratelimit.Limiter
	// LimiterTimeout bounds one limiter call (default 100 ms); past it the
	// limiter has failed, and the profile's rate_limit_fail_closed decides.
	LimiterTimeout time.Duration
	// TrustedProxies is how many proxies in front of the router append to
	// X-Forwarded-For (default 0: the header is ignored and the peer
	// address is the client's).
	TrustedProxies int
	// ClientKey, when set, names the client an API key belongs to (the
	// operator's list of keys); unknown keys are then ignored and the caller
	// is limited by address.
	ClientKey func(key string) (name string, ok bool)

	// Inspect reports a chain's live state (probe records, breakers,
	// routing evidence) to /api/ready, /api/status and /api/metrics; the
	// app builds it from its stores, so this package needs no adapter. nil
	// means every provider reads as never probed, with closed breakers.
	Inspect func(ctx context.Context, p *profile.Profile, c *profile.Chain) ChainReport
	// StatusToken, when set, guards /api/status and /api/metrics with
	// "Authorization: Bearer <token>" (they show provider layout and
	// traffic); /api/health, /api/ready and /api/chains stay open for load
	// balancers and health checks.
	StatusToken string
	// MaxSeries caps the (profile, chain, provider, method) series the
	// metrics recorder keeps (default 4096); calls of new series beyond it
	// are counted as dropped.
	MaxSeries int
}

// Handler serves the router's HTTP API.
type Handler struct {
	opts    Options
	started time.Time
	budget  *byteBudget
	// limiterErrors counts failed limiter calls, for the log.
	limiterErrors atomic.Int64
	recorder      *recorder
}

// New returns a Handler.
func New(opts Options) *Handler {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 8_000_000
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 50
	}
	if opts.BatchConcurrency <= 0 {
		opts.BatchConcurrency = 4
	}
	if opts.InflightBytes <= 0 {
		opts.InflightBytes = 128 << 20
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.LimiterTimeout <= 0 {
		opts.LimiterTimeout = 100 * time.Millisecond
	}
	if opts.DefaultStrategy == "" {
		opts.DefaultStrategy = routing.Default
	}
	if opts.MaxSeries <= 0 {
		opts.MaxSeries = 4096
	}
	now := opts.Now()
	return &Handler{opts: opts, started: now, budget: newByteBudget(opts.InflightBytes),
		recorder: newRecorder(opts.MaxSeries, now)}
}

// corsHeaders go on every answer: browsers call the router directly.
var corsHeaders = http.Header{
	"Access-Control-Allow-Origin":   {"*"},
	"Access-Control-Allow-Methods":  {"GET, POST, OPTIONS"},
	"Access-Control-Allow-Headers":  {"Content-Type, Authorization, X-Api-Key, X-Requested-With, X-Lasso-Provider, X-Lasso-Transport, X-Lasso-Include-Meta, X-Request-Id"},
	"Access-Control-Expose-Headers": {"X-Request-Id, X-Lasso-Request-Id, X-Lasso-Meta, Retry-After"},
}

var preflightMaxAge = []string{"86400"}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	for k, v := range corsHeaders {
		hd[k] = v // shared, never modified: no allocation per request
	}
	reqID := requestID(r.Header.Get("X-Request-Id"))
	hd["X-Request-Id"] = []string{reqID}
	if r.Method == http.MethodOptions {
		hd["Access-Control-Max-Age"] = preflightMaxAge
		w.WriteHeader(http.StatusNoContent)
		return
	}
	path := r.URL.Path
	switch {
	case path == "/api/health" && r.Method == http.MethodGet:
		h.health(w)
	case path == "/api/chains" && r.Method == http.MethodGet:
		h.chains(w)
	case path == "/api/ready" && r.Method == http.MethodGet:
		h.ready(w, r)
	case path == "/api/status" && r.Method == http.MethodGet:
		h.status(w, r, "")
	case strings.HasPrefix(path, "/api/status/") && r.Method == http.MethodGet && oneSegment(path, "/api/status/"):
		h.status(w, r, strings.TrimPrefix(path, "/api/status/"))
	case strings.HasPrefix(path, "/api/metrics/") && r.Method == http.MethodGet && oneSegment(path, "/api/metrics/"):
		h.metrics(w, r, strings.TrimPrefix(path, "/api/metrics/"))
	case strings.HasPrefix(path, "/rpc/"):
		h.rpc(w, r, reqID)
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "Not found"})
	}
}

// requestID reuses the client's X-Request-Id when it looks like one (the
// Phoenix rule: 20 to 200 URL-safe characters), so traces join up across
// services, and makes a new one otherwise.
func requestID(given string) string {
	if n := len(given); n >= 20 && n <= 200 && strings.Trim(given,
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=.:") == "" {
		return given
	}
	var b [15]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
