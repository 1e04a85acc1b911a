package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/lasso-serverless/lasso/shared/jsonrpc"
	"github.com/lasso-serverless/lasso/shared/proxy"
)

// Failures of the HTTP layer itself, before a call reaches the pipeline.
var (
	errBodyTooLarge = errors.New("request body too large")
	errCapacity     = errors.New("in-flight byte budget exhausted")
	errContentType  = errors.New("content type is not application/json")
	errMethod       = errors.New("HTTP method is not POST")
	errEmptyProfile = errors.New("empty profile")
	errBadPath      = errors.New("unknown RPC path")
	// errNoAnswer: the pipeline returned neither a response nor an error, a
	// bug that must not take the other calls of a batch down with it.
	errNoAnswer = errors.New("pipeline returned no answer")
)

type unknownProfileError struct{ profile string }

func (e *unknownProfileError) Error() string { return "unknown profile " + e.profile }

type unknownChainError struct{ chain, profile string }

func (e *unknownChainError) Error() string { return "unknown chain " + e.chain }

type unknownProviderError struct{ provider string }

func (e *unknownProviderError) Error() string { return "unknown provider " + e.provider }

// toWire is the one table from a failure to what the client sees: HTTP status
// and JSON-RPC error. Internal detail (which provider, which socket error)
// stays in the log; the client gets the stable code and message.
func toWire(err error, method string) (int, *jsonrpc.Error) {
	var (
		rpcErr     *jsonrpc.Error
		profileErr *unknownProfileError
		chainErr   *unknownChainError
		provErr    *unknownProviderError
	)
	switch {
	case errors.As(err, &rpcErr):
		return http.StatusOK, rpcErr
	case errors.Is(err, jsonrpc.ErrParse):
		return http.StatusBadRequest, jsonrpc.NewError(jsonrpc.CodeParseError, "Parse error: Invalid JSON")
	case errors.Is(err, jsonrpc.ErrEmptyBatch):
		return http.StatusOK, jsonrpc.NewError(jsonrpc.CodeInvalidRequest, "Invalid Request")
	case errors.Is(err, jsonrpc.ErrBatchTooLarge):
		return http.StatusOK, jsonrpc.NewError(jsonrpc.CodeInvalidRequest, "Invalid Request: batch too large")
	case errors.Is(err, errBodyTooLarge):
		return http.StatusRequestEntityTooLarge, jsonrpc.NewError(jsonrpc.CodeInvalidRequest, "Invalid Request: request body too large")
	case errors.Is(err, errCapacity):
		return http.StatusServiceUnavailable, jsonrpc.NewError(jsonrpc.CodeCapacity, "Local request byte capacity unavailable")
	case errors.Is(err, errContentType):
		return http.StatusUnsupportedMediaType, jsonrpc.NewError(jsonrpc.CodeInvalidRequest, "Invalid Request: Content-Type must be application/json")
	case errors.Is(err, errMethod):
		return http.StatusMethodNotAllowed, jsonrpc.NewError(jsonrpc.CodeInvalidRequest, "Invalid Request: use POST")
	case errors.Is(err, errBadPath):
		return http.StatusNotFound, jsonrpc.NewError(jsonrpc.CodeInvalidRequest, "Invalid Request: unknown path")
	case errors.Is(err, errEmptyProfile):
		return http.StatusBadRequest, jsonrpc.NewError(jsonrpc.CodeInvalidParams, "Invalid params: profile must not be empty")
	case errors.As(err, &profileErr):
		return http.StatusNotFound, &jsonrpc.Error{Code: jsonrpc.CodeServerError,
			Message: fmt.Sprintf("Profile '%s' not found", profileErr.profile),
			Data:    map[string]string{"error_type": "profile_not_found"}}
	case errors.As(err, &chainErr):
		return http.StatusBadRequest, jsonrpc.NewError(jsonrpc.CodeInvalidParams,
			fmt.Sprintf("Unsupported chain: Unknown chain '%s' in profile '%s'", chainErr.chain, chainErr.profile))
	case errors.As(err, &provErr):
		return http.StatusBadRequest, jsonrpc.NewError(jsonrpc.CodeInvalidParams,
			fmt.Sprintf("Unsupported chain: Provider '%s' is not configured for this chain", provErr.provider))
	}
	return http.StatusOK, callError(err, method)
}

// callError maps the pipeline's failures, which are answers to one call and
// so always travel with HTTP 200 (inside a batch, or alone).
func callError(err error, method string) *jsonrpc.Error {
	var (
		statusErr *proxy.StatusError
		limitErr  *proxy.RateLimitError
		openErr   *proxy.AllOpenError
	)
	switch {
	case errors.As(err, &limitErr), errors.Is(err, proxy.ErrRateLimited):
		e := jsonrpc.NewError(jsonrpc.CodeRateLimited, "Rate limited by provider")
		if limitErr != nil && limitErr.RetryAfter > 0 {
			e.Data = map[string]int64{"retry_after_ms": limitErr.RetryAfter.Milliseconds()}
		}
		return e
	case errors.As(err, &statusErr):
		if statusErr.RPC != nil {
			return statusErr.RPC
		}
		if statusErr.Status >= 500 {
			return &jsonrpc.Error{Code: jsonrpc.CodeUpstreamHTTP, Message: "Server error", Data: map[string]int{"status": statusErr.Status}}
		}
		return &jsonrpc.Error{Code: jsonrpc.CodeUpstreamHTTP,
			Message: fmt.Sprintf("Provider infrastructure error (HTTP %d)", statusErr.Status),
			Data:    map[string]int{"status": statusErr.Status}}
	case errors.Is(err, proxy.ErrTimeout):
		return jsonrpc.NewError(jsonrpc.CodeTimeout, "Request timeout")
	case errors.Is(err, proxy.ErrDeadlineExhausted):
		return jsonrpc.NewError(jsonrpc.CodeServerError, "Request deadline exhausted")
	case errors.Is(err, proxy.ErrIndeterminate):
		return jsonrpc.NewError(jsonrpc.CodeServerError, "Upstream dispatch outcome is indeterminate")
	case errors.Is(err, proxy.ErrCanceled):
		return jsonrpc.NewError(jsonrpc.CodeServerError, "Request caller abandoned execution")
	case errors.Is(err, jsonrpc.ErrInvalidUpstream):
		return jsonrpc.NewError(jsonrpc.CodeServerError, "Invalid upstream response")
	case errors.Is(err, proxy.ErrNetwork), errors.Is(err, proxy.ErrNotSent):
		return jsonrpc.NewError(jsonrpc.CodeNetworkError, "Network error")
	case errors.As(err, &openErr):
		if openErr.RetryIn <= 0 {
			return jsonrpc.NewError(jsonrpc.CodeServerError, "No available channels for method: "+method+". All circuit breakers are open.")
		}
		secs := int64((openErr.RetryIn + time.Second - 1) / time.Second)
		return &jsonrpc.Error{Code: jsonrpc.CodeServerError,
			Message: fmt.Sprintf("No available channels for method: %s. All circuits open, retry after %ds", method, secs),
			Data:    map[string]int64{"retry_after_ms": max(1, openErr.RetryIn.Milliseconds())}}
	case errors.Is(err, proxy.ErrNoChannels):
		return jsonrpc.NewError(jsonrpc.CodeServerError, "No channels available")
	case errors.Is(err, proxy.ErrNoProviders):
		return jsonrpc.NewError(jsonrpc.CodeServerError, "No available channels for method: "+method)
	}
	return jsonrpc.NewError(jsonrpc.CodeInternalError, "Internal error")
}
