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
func (r *Router) Admit(ctx context.Context, c *proxy.Call, cand proxy.Candidate) proxy.Admission {
	if cand.Breaker == breaker.Closed.String() {
		return proxy.Admit
	}
	switch r.state.admit(ctx, channelOf(c, cand), r.opts.Now()) {
	case breaker.Allow:
		return proxy.Admit
	case breaker.AllowTrial:
		return proxy.Trial
	}
	return proxy.Refused
}

// Record implements proxy.Health: the attempt's outcome goes to the
// breaker, the evidence and the rate-limit memory, in one write each at
// most. A success on a breaker the snapshot shows closed with no failures
// changes nothing, so it is not written: on a shared store the common case
// costs only the evidence write. (A failure another container recorded
// since the snapshot is then reset by its own next success, not by ours.)
//
// A system call (the router's own probes) teaches breakers and rate limits
// but is no evidence: a probe's eth_blockNumber says nothing of how fast or
// reliably the provider serves clients' calls (reference 3.3 keeps the two
// apart, and only client traffic qualifies a route).
func (r *Router) Record(ctx context.Context, c *proxy.Call, cand proxy.Candidate, o proxy.Outcome) {
	now := r.opts.Now()
	ch := channelOf(c, cand)
	obs := Observation{Evidence: !o.Neutral && !c.System, Success: o.Success, Latency: o.Latency, Now: now}
	if o.Category == string(classify.RateLimit) {
		wait := o.RetryAfter
		if wait <= 0 {
			wait = defaultRateLimited
		}
		obs.LimitedUntil = now.Add(wait)
	}
	st, known := r.state.cached(ch)
	skip := o.Success && known && st.Breaker == (breaker.State{})
	bo := breaker.Outcome{Success: o.Success, Category: breakerCategory(o), RetryAfter: o.RetryAfter}
	r.state.record(ctx, ch, bo, obs, skip)
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

func (l *rateLimits) get(k breaker.Key) time.Time {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.until[k]
}
