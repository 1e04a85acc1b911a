package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/lasso-serverless/lasso/shared/classify"
	"github.com/lasso-serverless/lasso/shared/jsonrpc"
	"github.com/lasso-serverless/lasso/shared/method"
	"github.com/lasso-serverless/lasso/shared/profile"
)

// Transport sends one encoded request to a provider. It returns a Reply for
// every HTTP answer, whatever its status, and an error only when there was
// none; an error that wraps ErrNotSent means nothing left the process.
type Transport interface {
	Send(ctx context.Context, p *profile.Provider, body []byte) (Reply, error)
}

// Reply is a provider's HTTP answer.
type Reply struct {
	Status     int
	Body       []byte
	RetryAfter time.Duration // from a Retry-After header, zero when absent
}

// Options tunes a Forwarder. Zero values mean the documented defaults.
type Options struct {
	// MaxDispatches caps upstream sends of a replay-safe call (default 3).
	// Every other call is sent at most once.
	MaxDispatches int
	// Timeout overrides the per-method timeout table (tests use it).
	Timeout func(method string) time.Duration
	Log     *slog.Logger
	Now     func() time.Time
}

// Budgets of one call (reference 3.5).
const (
	minAttempt      = 25 * time.Millisecond // the least time worth an attempt
	candidateBudget = 16                    // channels considered per call
)

// Forwarder sends calls to providers, failing over as the call's safety
// class and each answer's classification allow.
type Forwarder struct {
	planner   Planner
	health    Health
	transport Transport
	opts      Options
	nextID    atomic.Uint64
}

// NewForwarder returns a Forwarder.
func NewForwarder(planner Planner, health Health, transport Transport, opts Options) *Forwarder {
	if opts.MaxDispatches <= 0 {
		opts.MaxDispatches = 3
	}
	if opts.Timeout == nil {
		opts.Timeout = method.Timeout
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Forwarder{planner: planner, health: health, transport: transport, opts: opts}
}

var _ Handler = (*Forwarder)(nil)

// Serve implements Handler.
func (f *Forwarder) Serve(ctx context.Context, c *Call) (*jsonrpc.Response, error) {
	timeout := f.opts.Timeout(c.Request.Method)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	deadline, _ := ctx.Deadline()

	start := f.opts.Now()
	plan := f.planner.Plan(ctx, c)
	c.Meta.Selection = f.opts.Now().Sub(start)
	c.Meta.Candidates = plan.Candidates
	c.Meta.Retries = plan.Skipped
	if len(plan.Candidates) == 0 {
		if plan.AllOpen {
			return nil, &AllOpenError{RetryIn: plan.RetryIn}
		}
		return nil, ErrNoProviders
	}

	safe := method.SafetyOf(c.Request.Method).ReplaySafe()
	budget := 1
	if safe {
		budget = f.opts.MaxDispatches
	}
	var (
		last     error             // the last dispatched attempt's failure
		lastResp *jsonrpc.Response // ... when it was a provider's JSON-RPC error
		skipped  bool              // the last candidate was skipped, not tried
		sentTo   = make([]upstream, 0, budget)
	)
	for i, cand := range plan.Candidates {
		if c.Meta.Attempts >= budget {
			break
		}
		if i >= candidateBudget {
			break
		}
		if abandoned(ctx) {
			return nil, ErrCanceled
		}
		remaining := deadline.Sub(f.opts.Now())
		if remaining < minAttempt {
			return nil, ErrDeadlineExhausted
		}
		if i > 0 {
			c.Meta.Retries++
		}
		// Two profiles' providers may be one upstream: never send it twice.
		key := upstream{cand.Provider.InstanceID, cand.Transport}
		if slices.Contains(sentTo, key) || f.health.Admit(ctx, c, cand) == Refused {
			skipped = true
			continue
		}
		attempt := remaining
		// The first replay-safe attempt gets 60% of the method's budget, so a
		// hanging provider still leaves time for the next one.
		if safe && c.Meta.Attempts == 0 && i < len(plan.Candidates)-1 {
			attempt = min(remaining, max(minAttempt, timeout*6/10))
		}
		r := f.attempt(ctx, c, cand, attempt)
		if r.sent {
			sentTo = append(sentTo, key)
		}
		// The call's context may be spent (a timeout, a client gone), but
		// the outcome must still land: it releases a half-open trial.
		f.health.Record(context.WithoutCancel(ctx), c, cand, r.outcome)
		if r.done {
			return r.resp, r.err
		}
		skipped = false
		last, lastResp = r.err, r.resp
		f.opts.Log.DebugContext(ctx, "upstream attempt failed", "request_id", c.RequestID,
			"provider", cand.Provider.ID, "method", c.Request.Method, "category", r.outcome.Category, "error", errText(r))
		if c.Override != nil {
			break // an override asks for this provider's answer, whatever it is
		}
		if r.sent && !safe {
			if abandoned(ctx) {
				return nil, ErrCanceled
			}
			if r.refused {
				break // refused, not executed: the client may retry
			}
			return nil, ErrIndeterminate
		}
	}
	switch {
	case abandoned(ctx):
		return nil, ErrCanceled
	case lastResp != nil:
		// The provider's own JSON-RPC error, unchanged: the router stays
		// wire-transparent when every answer was of that kind.
		return lastResp, nil
	case last != nil:
		return nil, last
	case skipped:
		return nil, ErrNoChannels
	}
	return nil, ErrNoProviders
}

// upstream is a physical channel: what must never get one call twice.
type upstream struct{ instance, transport string }

func errText(r result) string {
	switch {
	case r.err != nil:
		return r.err.Error()
	case r.resp != nil && r.resp.Error != nil:
		return r.resp.Error.Error()
	}
	return ""
}

// abandoned reports whether the client went away (as opposed to the call
// running out of time).
func abandoned(ctx context.Context) bool {
	return ctx.Err() != nil && !errors.Is(context.Cause(ctx), context.DeadlineExceeded)
}

// result is one attempt's verdict.
type result struct {
	resp    *jsonrpc.Response // an answer for the client (done), or a provider's error kept for exhaustion
	err     error             // a failure
	done    bool              // stop here and answer with resp, err
	sent    bool              // the request may have reached the provider
	refused bool              // the provider refused it unexecuted (rate limit, capability)
	outcome Outcome
}

// attempt makes one dispatch and classifies what came back.
func (f *Forwarder) attempt(ctx context.Context, c *Call, cand Candidate, timeout time.Duration) result {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	p := cand.Provider
	id := "lasso-" + strconv.FormatUint(f.nextID.Add(1), 36)
	body := jsonrpc.AppendUpstream(make([]byte, 0, 96+len(c.Request.Params)), id, c.Request.Method, c.Request.Params)

	c.Meta.Provider, c.Meta.Transport, c.Meta.Breaker = p.ID, cand.Transport, cand.Breaker
	start := f.opts.Now()
	reply, err := f.transport.Send(ctx, p, body)
	latency := f.opts.Now().Sub(start)
	c.Meta.Upstream = latency
	if err != nil {
		sent := !errors.Is(err, ErrNotSent)
		if sent {
			c.Meta.Attempts++
		}
		switch {
		case abandoned(ctx):
			// The client hung up: nothing to hold against the provider.
			return result{err: ErrCanceled, sent: sent, outcome: Outcome{Neutral: true}}
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			// A connect that never completed is a timeout too.
			return result{err: ErrTimeout, sent: sent, outcome: Outcome{Category: string(classify.Timeout), Latency: latency}}
		case !sent:
			// Refused or unreachable: nothing was executed, so any call may
			// move on, but a provider that takes no connections is down
			// (Lasso counts it as a network error too).
			return result{err: err, outcome: Outcome{Category: string(classify.NetworkError), Latency: latency}}
		}
		return result{err: fmt.Errorf("%w: %w", ErrNetwork, err), sent: true,
			outcome: Outcome{Category: string(classify.NetworkError), Latency: latency}}
	}
	c.Meta.Attempts++
	r := judge(c.Request.ID, reply, id, p.Capabilities.ErrorRules)
	r.sent = true
	r.outcome.Latency = latency
	return r
}

// judge turns a provider's HTTP answer into a verdict (reference 3.6 and 7).
func judge(clientID json.RawMessage, r Reply, id string, rules []classify.Rule) result {
	if r.Status >= 200 && r.Status < 300 {
		u, err := jsonrpc.ParseUpstream(r.Body, id)
		if err != nil {
			return result{err: err, outcome: Outcome{Category: string(classify.ProtocolError)}}
		}
		if u.Error == nil {
			return result{resp: jsonrpc.Passthrough(clientID, u), done: true, outcome: Outcome{Success: true}}
		}
		cat := classify.Error(u.Error.Code, u.Error.Message, rawData(u.Error), rules)
		return verdict(cat, jsonrpc.NewErrorResponse(clientID, u.Error), nil,
			classify.RetryAfter(u.Error.Message, rawData(u.Error)))
	}
	rpcErr := bodyError(r.Body)
	var rpc *classify.RPCError
	if rpcErr != nil {
		rpc = &classify.RPCError{Code: rpcErr.Code, Message: rpcErr.Message, Data: rawData(rpcErr)}
	}
	cat := classify.HTTP(r.Status, rpc, rules)
	retry := r.RetryAfter
	if retry == 0 && rpcErr != nil {
		retry = classify.RetryAfter(rpcErr.Message, rawData(rpcErr))
	}
	if cat == classify.RateLimit {
		return verdict(cat, nil, &RateLimitError{RetryAfter: retry}, retry)
	}
	var resp *jsonrpc.Response
	if rpcErr != nil && r.Status >= 400 && r.Status < 500 {
		// A 4xx carrying a JSON-RPC error is the provider's answer.
		resp = jsonrpc.NewErrorResponse(clientID, rpcErr)
	}
	return verdict(cat, resp, &StatusError{Status: r.Status, RPC: rpcErr}, retry)
}

// verdict applies a category's bucket: answer the client, or fail over with
// or without holding it against the channel.
func verdict(cat classify.Category, resp *jsonrpc.Response, err error, retry time.Duration) result {
	o := Outcome{Category: string(cat), RetryAfter: retry}
	switch cat.Verdict() {
	case classify.Deterministic:
		o.Neutral = true
		if resp == nil {
			return result{err: err, done: true, outcome: o}
		}
		return result{resp: resp, done: true, outcome: o}
	case classify.Quota:
		return result{resp: resp, err: err, refused: true, outcome: o}
	case classify.Capability:
		o.Neutral = true
		return result{resp: resp, err: err, refused: true, outcome: o}
	}
	return result{resp: resp, err: err, outcome: o}
}

func rawData(e *jsonrpc.Error) []byte {
	if d, ok := e.Data.(json.RawMessage); ok {
		return d
	}
	return nil
}

// bodyError reads a JSON-RPC error object from a non-2xx body, ignoring the
// envelope: gateways answer errors with whatever id they like.
func bodyError(body []byte) *jsonrpc.Error {
	var w struct {
		Error *struct {
			Code    *int            `json:"code"`
			Message string          `json:"message"`
			Data    json.RawMessage `json:"data"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &w) != nil || w.Error == nil || w.Error.Code == nil {
		return nil
	}
	e := &jsonrpc.Error{Code: *w.Error.Code, Message: w.Error.Message}
	if w.Error.Data != nil {
		e.Data = w.Error.Data
	}
	return e
}
