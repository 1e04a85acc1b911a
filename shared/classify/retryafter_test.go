package classify

import (
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		name string
		msg  string
		data string
		want time.Duration
	}{
		{"none", "rate limit exceeded", "", 0},
		{"seconds", "Too many requests, try again in 30 seconds", "", 30 * time.Second},
		{"one second", "Please try again in 1 second.", "", time.Second},
		{"decimal seconds", "Rate limited. Try again in 3.2 seconds", "", 3200 * time.Millisecond},
		{"minute", "Daily quota exceeded, try again in 1 minute", "", time.Minute},
		{"minutes", "try again in 5 minutes", "", 5 * time.Minute},
		{"hours", "Monthly quota exceeded; try again in 2 hours", "", 2 * time.Hour},
		{"short unit", "retry in 500ms", "", 500 * time.Millisecond},
		{"short unit, seconds", "retry after 10s", "", 10 * time.Second},
		{"retry after", "Retry after 2 min", "", 2 * time.Minute},
		{"wait", "Please wait 15 seconds before sending more requests", "", 15 * time.Second},
		{"wait for", "please wait for 3 sec", "", 3 * time.Second},
		{"upper case", "TRY AGAIN IN 20 SECONDS", "", 20 * time.Second},
		{"no unit", "try again in 30", "", 0},
		{"unknown unit", "try again in 3 days", "", 0},
		{"no number", "try again in a minute", "", 0},
		{"a window is not a wait", "exceeded 100 requests in 1 second", "", 0},
		{"first phrase that parses", "try again later, or retry in 4 seconds", "", 4 * time.Second},
		{"capped", "try again in 100000 hours", "", 24 * time.Hour},
		{"retry_after seconds", "rate limited", `{"retry_after":7}`, 7 * time.Second},
		{"retry_after decimal", "rate limited", `{"retry_after":0.25}`, 250 * time.Millisecond},
		{"retry_after as string", "rate limited", `{"retry_after":"12"}`, 12 * time.Second},
		{"retry_after_ms", "rate limited", `{"retry_after_ms":1500}`, 1500 * time.Millisecond},
		{"infura backoff_seconds", "project ID request rate exceeded", `{"see":"https://infura.io/docs/ethereum/jsonrpc/ratelimits","current_rps":13.333,"allowed_rps":10.0,"backoff_seconds":30.0}`, 30 * time.Second},
		{"infura nested, zero", "project ID request rate exceeded", `{"rate":{"allowed_rps":50,"backoff_seconds":0,"current_rps":52.3},"see":"https://infura.io/docs/ethereum/json-rpc/ratelimits"}`, 0},
		{"nested one level", "x", `{"rate":{"backoff_seconds":2}}`, 2 * time.Second},
		{"not two levels", "x", `{"a":{"b":{"retry_after":2}}}`, 0},
		{"field wins over message", "try again in 5 minutes", `{"retry_after":3}`, 3 * time.Second},
		{"zero field falls back to message", "try again in 5 minutes", `{"retry_after":0}`, 5 * time.Minute},
		{"negative field", "x", `{"retry_after":-5}`, 0},
		{"field capped", "x", `{"retry_after":1e12}`, 24 * time.Hour},
		{"ms field capped", "x", `{"retry_after_ms":1e300}`, 24 * time.Hour},
		{"not a number", "x", `{"retry_after":"soon"}`, 0},
		{"text in data", "rate limited", `"Too many requests. Try again in 8 seconds."`, 8 * time.Second},
		{"text in a data member", "rate limited", `{"message":"try again in 9 seconds"}`, 9 * time.Second},
		{"field beats text in data", "x", `{"message":"try again in 9 seconds","retry_after":1}`, time.Second},
		{"garbage data, message used", "try again in 4 seconds", `{"retry_after":`, 4 * time.Second},
		{"revert data", "execution reverted", abiError("wait 5 seconds"), 0},
	} {
		var data []byte
		if tc.data != "" {
			data = []byte(tc.data)
		}
		if got := RetryAfter(tc.msg, data); got != tc.want {
			t.Errorf("%s: RetryAfter(%q, %s): got %v, want %v", tc.name, tc.msg, tc.data, got, tc.want)
		}
	}
}
