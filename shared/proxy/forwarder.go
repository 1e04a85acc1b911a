package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

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

// Planner orders the providers to try for a call. The routing package
// implements it; the Forwarder only walks the list.
type Planner interface {
	Plan(c *Call) []*profile.Provider
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

// minAttempt is the least time worth starting an attempt with.
const minAttempt = 25 * time.Millisecond

// Forwarder sends calls to providers, failing over as the call's safety
// class allows.
type Forwarder struct {
	planner   Planner
	transport Transport
	opts      Options
	nextID    atomic.Uint64
}

// NewForwarder returns a Forwarder.
func NewForwarder(planner Planner, transport Transport, opts Options) *Forwarder {
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
	return &Forwarder{planner: planner, transport: transport, opts: opts}
}

var _ Handler = (*Forwarder)(nil)

// Serve implements Handler.
func (f *Forwarder) Serve(ctx context.Context, c *Call) (*jsonrpc.Response, error) {
	timeout := f.opts.Timeout(c.Request.Method)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	deadline, _ := ctx.Deadline()

	safe := method.SafetyOf(c.Request.Method).ReplaySafe()
	budget := 1
	if safe {
		budget = f.opts.MaxDispatches
	}
	plan := f.planner.Plan(c)
	if len(plan) == 0 {
		return nil, ErrNoProviders
	}
	var last error
	for i, p := range plan {
		if c.Meta.Attempts >= budget {
			break
		}
		if abandoned(ctx) {
			return nil, ErrCanceled
		}
		remaining := deadline.Sub(f.opts.Now())
		if remaining < minAttempt {
			return nil, ErrDeadlineExhausted
		}
		attempt := remaining
		// The first replay-safe attempt gets 60% of the method's budget, so a
		// hanging provider still leaves time for the next one.
		if safe && c.Meta.Attempts == 0 && i < len(plan)-1 {
			attempt = min(remaining, max(minAttempt, timeout*6/10))
		}
		if i > 0 {
			c.Meta.Retries++
		}
		resp, sent, err := f.attempt(ctx, c, p, attempt)
		if err == nil {
			return resp, nil
		}
		last = err
		f.opts.Log.DebugContext(ctx, "upstream attempt failed", "request_id", c.RequestID,
			"provider", p.ID, "method", c.Request.Method, "error", err.Error())
		if c.Override != nil {
			break // an override asks for this provider's answer, whatever it is
		}
		if sent && !safe {
			if abandoned(ctx) {
				return nil, ErrCanceled
			}
			if errors.Is(err, ErrRateLimited) {
				break // refused, not executed: the client may retry
			}
			return nil, ErrIndeterminate
		}
	}
	if abandoned(ctx) {
		return nil, ErrCanceled
	}
	return nil, last
}

// abandoned reports whether the client went away (as opposed to the call
// running out of time).
func abandoned(ctx context.Context) bool {
	return ctx.Err() != nil && !errors.Is(context.Cause(ctx), context.DeadlineExceeded)
}

// attempt makes one dispatch. sent reports whether the request may have
// reached the provider.
func (f *Forwarder) attempt(ctx context.Context, c *Call, p *profile.Provider, timeout time.Duration) (resp *jsonrpc.Response, sent bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	id := "lasso-" + strconv.FormatUint(f.nextID.Add(1), 36)
	body := jsonrpc.AppendUpstream(make([]byte, 0, 96+len(c.Request.Params)), id, c.Request.Method, c.Request.Params)

	c.Meta.Provider = p.ID
	start := f.opts.Now()
	reply, err := f.transport.Send(ctx, p, body)
	c.Meta.Upstream = f.opts.Now().Sub(start)
	if err != nil {
		sent := !errors.Is(err, ErrNotSent)
		if sent {
			c.Meta.Attempts++
		}
		switch {
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			return nil, sent, ErrTimeout // a connect that never completed is a timeout too
		case !sent:
			return nil, false, err
		}
		return nil, true, fmt.Errorf("%w: %w", ErrNetwork, err)
	}
	c.Meta.Attempts++
	resp, err = judge(c.Request.ID, reply, id)
	return resp, true, err
}

// judge turns a provider's HTTP answer into a response for the client or a
// failure worth failing over. JSON-RPC errors in a valid response are the
// provider's answer and go back unchanged.
func judge(clientID json.RawMessage, r Reply, id string) (*jsonrpc.Response, error) {
	switch {
	case r.Status == 429:
		return nil, &RateLimitError{RetryAfter: r.RetryAfter}
	case r.Status >= 200 && r.Status < 300:
		u, err := jsonrpc.ParseUpstream(r.Body, id)
		if err != nil {
			return nil, err
		}
		if u.Error != nil {
			return jsonrpc.NewErrorResponse(clientID, u.Error), nil
		}
		return jsonrpc.Passthrough(clientID, u), nil
	}
	rpcErr := bodyError(r.Body)
	if rpcErr != nil && r.Status >= 400 && r.Status < 500 && r.Status != 408 {
		// A 4xx that carries a JSON-RPC error is the provider's answer; one
		// without is a gateway or CDN rejection, a provider failure.
		return jsonrpc.NewErrorResponse(clientID, rpcErr), nil
	}
	return nil, &StatusError{Status: r.Status, RPC: rpcErr}
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
