package classify_test

import (
	"fmt"

	"github.com/lasso-serverless/lasso/shared/classify"
)

func ExampleError() {
	for _, e := range []struct {
		code int
		msg  string
	}{
		{-32000, "header not found"},
		{-32005, "project ID request rate exceeded"},
		{-32000, "nonce too low: address 0x71C7656EC7ab88b098defB751B7401B5f6d8976F, tx: 5 state: 7"},
		{-38020, "block numbers must be in order: 12 <= 13"},
		{-32603, "Internal error"},
	} {
		c := classify.Error(e.code, e.msg, nil, nil)
		fmt.Printf("%d %s: %s\n", e.code, c, c.Verdict())
	}
	// Output:
	// -32000 block_not_available: capability
	// -32005 rate_limit: quota
	// -32000 execution_revert: deterministic
	// -38020 unknown_error: capability
	// -32603 internal_error: provider_failure
}

func ExampleHTTP() {
	fmt.Println(classify.HTTP(429, nil, nil))
	fmt.Println(classify.HTTP(503, nil, nil))
	fmt.Println(classify.HTTP(404, &classify.RPCError{Code: -32601, Message: "Method not found"}, nil))
	// Output:
	// rate_limit
	// server_error
	// method_not_found
}

func ExampleRetryAfter() {
	fmt.Println(classify.RetryAfter("project ID request rate exceeded",
		[]byte(`{"current_rps":13.333,"allowed_rps":10.0,"backoff_seconds":30.0}`)))
	fmt.Println(classify.RetryAfter("Too many requests, try again in 1 minute", nil))
	// Output:
	// 30s
	// 1m0s
}

func ExampleRule() {
	// A profile rule: Ankr answers a too-wide eth_getLogs with -32600, which
	// is definitive (returned to the client) unless a rule says otherwise.
	code := -32600
	rules := []classify.Rule{{Code: &code, MessageContains: []string{"block range is too wide"}, Category: classify.CapabilityViolation}}
	msg := "block range is too wide"
	fmt.Println(classify.Error(code, msg, nil, nil))
	fmt.Println(classify.Error(code, msg, nil, rules))
	// Output:
	// invalid_request
	// capability_violation
}
