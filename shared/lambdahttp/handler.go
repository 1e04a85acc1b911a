package lambdahttp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
)

// DefaultMargin is the Margin of a zero Options.
const DefaultMargin = 200 * time.Millisecond

// Options are the Handler's knobs; the zero value is ready to use.
type Options struct {
	// Margin is how long before the invocation's deadline the request's
	// context ends: the time the handler has left to write its timeout
	// answer and the runtime to post it before Lambda stops the function.
	// Zero or less means DefaultMargin.
	Margin time.Duration
	// Begin, when set, runs at the start of each invocation with the
	// request's (capped) context, and the func it returns runs after the
	// handler, before Invoke returns: work beside the request that must
	// not outlive the invocation, such as shared/app's BeginInvocation
	// (a configuration refresh on a TTL).
	Begin func(ctx context.Context) (end func())
	// Fit, when set, shrinks a response body that would exceed what the
	// event's caller accepts (APIGatewayLimit, ALBLimit) to at most limit
	// bytes, such as httpapi.FitResponse through shared/app. Without it an
	// oversized response is returned as it is, and Lambda or the ALB
	// refuses it.
	Fit func(body []byte, limit int) []byte
}

// Handler answers Lambda invocations carrying API Gateway HTTP API (payload
// 2.0), API Gateway REST API (payload 1.0) or ALB events with an
// http.Handler. Start it with lambda.Start. It is safe for concurrent
// invocations.
type Handler struct {
	margin  time.Duration
	begin   func(context.Context) func()
	fitBody func([]byte, int) []byte
	v1      *httpadapter.HandlerAdapter
	v2      *httpadapter.HandlerAdapterV2
	alb     *httpadapter.HandlerAdapterALB
}

var _ lambda.Handler = (*Handler)(nil)

// New returns a Handler serving h.
func New(h http.Handler, opts Options) *Handler {
	if opts.Margin <= 0 {
		opts.Margin = DefaultMargin
	}
	return &Handler{
		margin:  opts.Margin,
		begin:   opts.Begin,
		fitBody: opts.Fit,
		v1:      httpadapter.New(h),
		v2:      httpadapter.NewV2(h),
		alb:     httpadapter.NewALB(albPeer(h)),
	}
}

// Invoke answers one invocation: payload is the event's JSON, and the
// result is the JSON of the response type that matches it. An event that is
// not one of the three shapes is an error, which Lambda reports to the
// caller (API Gateway and ALB answer it with a 502).
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	k, err := kindOf(payload)
	if err != nil {
		return nil, err
	}
	out, err := h.serve(ctx, k, payload)
	if err != nil {
		return nil, err
	}
	return h.fit(k, out)
}

// serve answers the event of shape k with the handler's response, encoded.
func (h *Handler) serve(ctx context.Context, k kind, payload []byte) ([]byte, error) {
	ctx, cancel := h.capDeadline(ctx)
	defer cancel()
	if h.begin != nil {
		end := h.begin(ctx)
		defer end() // before cancel: deferred calls run last in, first out
	}
	switch k {
	case kindHTTP:
		ev, err := decode[events.APIGatewayV2HTTPRequest](k, payload)
		if err != nil {
			return nil, err
		}
		resp, err := h.v2.ProxyWithContext(ctx, ev)
		return respond(k, resp, err)
	case kindALB:
		ev, err := decode[events.ALBTargetGroupRequest](k, payload)
		if err != nil {
			return nil, err
		}
		unescapeQuery(&ev)
		resp, err := h.alb.ProxyWithContext(ctx, ev)
		if err == nil {
			albResponse(ev, &resp)
		}
		return respond(k, resp, err)
	default:
		ev, err := decode[events.APIGatewayProxyRequest](k, payload)
		if err != nil {
			return nil, err
		}
		resp, err := h.v1.ProxyWithContext(ctx, ev)
		return respond(k, resp, err)
	}
}

// capDeadline ends ctx Margin before the invocation's deadline. Lambda
// stops a function at its deadline without a word to the caller; ending
// the request earlier lets the router's upstream timeouts, all derived from
// this context, fire first and the client get a JSON-RPC timeout instead.
// Without a deadline (not under Lambda) there is nothing to cap.
func (h *Handler) capDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return ctx, func() {}
	}
	return context.WithDeadline(ctx, deadline.Add(-h.margin))
}

func decode[E any](k kind, payload []byte) (E, error) {
	var ev E
	if err := json.Unmarshal(payload, &ev); err != nil {
		return ev, fmt.Errorf("%w: %s event: %v", ErrNotHTTP, k, err)
	}
	return ev, nil
}

// respond encodes the response. HTML characters stay as they are: the body
// is the router's JSON, and escaping them would only make it bigger.
func respond(k kind, resp any, err error) ([]byte, error) {
	if err != nil {
		return nil, fmt.Errorf("lambdahttp: %s event: %w", k, err)
	}
	b, err := encodeNoEscape(resp)
	if err != nil {
		return nil, fmt.Errorf("lambdahttp: encode %s response: %w", k, err)
	}
	return b, nil
}
