package proxy

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/lasso-serverless/lasso/shared/jsonrpc"
)

// disallowed are methods that would use keys held by the upstream node (or
// expose its accounts); a shared router must never relay them. Lasso refuses
// the first five; personal_sendTransaction signs with node keys just the same.
var disallowed = map[string]bool{
	"eth_sendTransaction":      true,
	"personal_sign":            true,
	"eth_sign":                 true,
	"eth_signTransaction":      true,
	"eth_accounts":             true,
	"personal_sendTransaction": true,
}

// wsOnly are methods that need a connection to push on.
var wsOnly = map[string]bool{"eth_subscribe": true, "eth_unsubscribe": true}

// Local answers what needs no provider: eth_chainId (unless a provider is
// named, when the client wants that provider's own answer), refused methods,
// and subscriptions asked for over HTTP.
func Local(next Handler) Handler {
	return HandlerFunc(func(ctx context.Context, c *Call) (*jsonrpc.Response, error) {
		m := c.Request.Method
		switch {
		case m == "eth_chainId" && c.Override == nil && jsonrpc.EmptyParams(c.Request.Params):
			c.Meta.Local = true
			return jsonrpc.NewResult(c.Request.ID, c.Chain.IDHex), nil
		case disallowed[m]:
			c.Meta.Local = true
			return nil, jsonrpc.NewError(jsonrpc.CodeMethodNotFound, "Method not supported by proxy")
		case wsOnly[m]:
			c.Meta.Local = true
			return nil, &jsonrpc.Error{
				Code:    jsonrpc.CodeMethodNotFound,
				Message: "Method not supported over HTTP. Use WebSocket connection for subscriptions.",
				Data:    map[string]string{"websocket_url": "/ws" + c.Path},
			}
		}
		return next.Serve(ctx, c)
	})
}

// Recover turns a panic into -32603 and a log line with the stack, so one bad
// call never takes the process (or the Lambda container) down.
func Recover(log *slog.Logger) Middleware {
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, c *Call) (resp *jsonrpc.Response, err error) {
			defer func() {
				if v := recover(); v != nil {
					log.ErrorContext(ctx, "panic serving call", "request_id", c.RequestID,
						"method", c.Request.Method, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
					resp, err = nil, jsonrpc.NewError(jsonrpc.CodeInternalError, "Internal error")
				}
			}()
			return next.Serve(ctx, c)
		})
	}
}
