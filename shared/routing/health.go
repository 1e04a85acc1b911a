package routing

import (
	"context"
	"sync"
	"time"

	"github.com/lasso-serverless/lasso/shared/breaker"
	"github.com/lasso-serverless/lasso/shared/classify"
	"github.com/lasso-serverless/lasso/shared/proxy"
)

// defaultRateLimited is how long a provider that said "too many requests"
// without saying for how long is tried after the others (Lasso: 30 s).
const defaultRateLimited = 30 * time.Second

// Admit implements proxy.Health: the breaker's word on one attempt. A
// channel planned closed is admitted without asking the store again (the
// plan read it moments ago); a half-open one must take the trial lease.
// Storage trouble admits: a router that cannot read its breakers still
// routes.
func (r *Router) Admit(ctx context.Context, c *proxy.Call, cand proxy.Candidate) proxy.Admission {
	if cand.Breaker == breaker.Closed.String() {
		return proxy.Admit
	}
	d, _, err := r.opts.Breakers.Admit(ctx, breakerKey(cand), r.opts.Now())
	if err != nil {
		r.opts.Log.WarnContext(ctx, "breaker admission failed; admitting", "request_id", c.RequestID, "error", err.Error())
		return proxy.Admit
	}
	switch d {
	case breaker.Allow:
		return proxy.Admit
	case breaker.AllowTrial:
		return proxy.Trial
	}
	return proxy.Refused
}

// Record implements proxy.Health: the attempt's outcome goes to the
// breaker, the evidence and the rate-limit memory.
func (r *Router) Record(ctx context.Context, c *proxy.Call, cand proxy.Candidate, o proxy.Outcome) {
	now := r.opts.Now()
	bo := breaker.Outcome{Success: o.Success, Category: breakerCategory(o), RetryAfter: o.RetryAfter}
	if _, err := r.opts.Breakers.Record(ctx, breakerKey(cand), bo, now); err != nil {
		r.opts.Log.WarnContext(ctx, "breaker record failed", "request_id", c.RequestID, "error", err.Error())
	}
	if !o.Neutral {
		r.evidence.observe(channelKey(c, cand), o.Success, o.Latency, now)
	}
	if o.Category == string(classify.RateLimit) {
		wait := o.RetryAfter
		if wait <= 0 {
			wait = defaultRateLimited
		}
		r.limited.mark(breakerKey(cand), now.Add(wait))
	}
}

// breakerCategory is the category a breaker counts an outcome under
// (reference 4): a neutral outcome counts for nothing (it still releases a
// half-open trial), and every provider failure without a category of its own
// (-32603, EIP-1193 method and chain errors, unknown provider errors) is a
// server error.
func breakerCategory(o proxy.Outcome) string {
	switch c := classify.Category(o.Category); {
	case o.Neutral || o.Success:
		return ""
	case c == classify.Timeout, c == classify.NetworkError, c == classify.ProtocolError,
		c == classify.AuthError, c == classify.ServerError, c == classify.RateLimit:
		return o.Category
	case c.Verdict() == classify.ProviderFailure:
		return string(classify.ServerError)
	default:
		return o.Category
	}
}

// rateLimits remembers until when each channel asked to be left alone.
type rateLimits struct {
	mu    sync.RWMutex
	until map[breaker.Key]time.Time
}

func newRateLimits() *rateLimits { return &rateLimits{until: map[breaker.Key]time.Time{}} }

// mark never shortens a wait already known.
func (l *rateLimits) mark(k breaker.Key, until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if until.After(l.until[k]) {
		l.until[k] = until
	}
}

func (l *rateLimits) limited(k breaker.Key, now time.Time) bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return now.Before(l.until[k])
}
