package proxy

import (
	"context"
	"time"

	"github.com/lasso-serverless/lasso/shared/jsonrpc"
	"github.com/lasso-serverless/lasso/shared/profile"
)

// Call is one JSON-RPC call resolved to a profile and chain. The inbound call
// and the upstream request are different things: the upstream request is
// built per attempt, with a private id.
type Call struct {
	Request  jsonrpc.Request
	Profile  *profile.Profile
	Chain    *profile.Chain
	Strategy string            // routing strategy name
	Override *profile.Provider // provider override: only this provider, no failover
	// Transport restricts upstream channels to "http" or "ws"; "" is any.
	Transport string
	RequestID string
	// Path is the client path the call arrived on, for answers that point the
	// client elsewhere (eth_subscribe over HTTP names the WebSocket path).
	Path string
	// System marks the router's own traffic (health probes): breakers and
	// rate limits learn from it, but it is no evidence of how the provider
	// serves clients, so latency and reliability ignore it (reference 3.3).
	System bool

	// Meta is filled in as the call is served; it feeds logs and metadata.
	Meta Meta
}

// Meta records how a call was served.
type Meta struct {
	Provider   string        // the provider that answered, or the last one tried
	Transport  string        // its transport
	Breaker    string        // its breaker state when planned
	Attempts   int           // upstream dispatches
	Retries    int           // candidates skipped or failed before the answer
	Upstream   time.Duration // upstream I/O time of the last attempt
	Selection  time.Duration // time spent planning
	Local      bool          // answered without a provider
	Candidates []Candidate   // the plan, in order
}

// Handler serves a call. An error is a routing failure that httpapi turns
// into the wire error; a JSON-RPC error the provider sent is a Response.
type Handler interface {
	Serve(ctx context.Context, c *Call) (*jsonrpc.Response, error)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, c *Call) (*jsonrpc.Response, error)

// Serve calls f.
func (f HandlerFunc) Serve(ctx context.Context, c *Call) (*jsonrpc.Response, error) {
	return f(ctx, c)
}

// Middleware wraps a Handler.
type Middleware func(Handler) Handler

// Chain wraps h in mws, the first middleware outermost, so the list reads in
// the order a call passes through it.
func Chain(h Handler, mws ...Middleware) Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}
