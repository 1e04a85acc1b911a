package proxy

import (
	"errors"
	"fmt"
	"time"

	"github.com/lasso-serverless/lasso/shared/jsonrpc"
)

// Routing failures. httpapi holds the one table that turns them into wire
// errors; here they only carry what that table needs.
var (
	// ErrNoProviders: the plan was empty.
	ErrNoProviders = errors.New("no providers available")
	// ErrTimeout: the last attempt ran out of time.
	ErrTimeout = errors.New("request timeout")
	// ErrDeadlineExhausted: candidates were left but no time to try them.
	ErrDeadlineExhausted = errors.New("request deadline exhausted")
	// ErrIndeterminate: a call that must not be repeated may have reached a
	// provider, and its outcome is unknown.
	ErrIndeterminate = errors.New("upstream dispatch outcome is indeterminate")
	// ErrRateLimited: the provider said too many requests.
	ErrRateLimited = errors.New("rate limited by provider")
	// ErrNetwork: the connection failed after the request was sent.
	ErrNetwork = errors.New("upstream network error")
	// ErrNotSent marks a Transport failure that happened before any byte of
	// the request left, so any call may safely go to the next provider.
	ErrNotSent = errors.New("request not sent")
	// ErrCanceled: the client went away.
	ErrCanceled = errors.New("request caller abandoned execution")
	// ErrNoChannels: the plan ran out on channels skipped for this call (an
	// open breaker, a trial in flight) without any dispatch.
	ErrNoChannels = errors.New("no channels available")
)

// AllOpenError: every channel's breaker is open. RetryIn is the shortest
// wait until one is due, zero when unknown.
type AllOpenError struct {
	RetryIn time.Duration
}

func (e *AllOpenError) Error() string { return "all circuit breakers are open" }

// StatusError is a provider's non-2xx HTTP answer.
type StatusError struct {
	Status int
	// RPC is the JSON-RPC error object in the body, when there was one.
	RPC *jsonrpc.Error
}

func (e *StatusError) Error() string { return fmt.Sprintf("upstream HTTP %d", e.Status) }

// RateLimitError is a provider's 429, with how long it asked us to wait.
type RateLimitError struct {
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string { return "upstream HTTP 429" }
func (e *RateLimitError) Unwrap() error { return ErrRateLimited }
