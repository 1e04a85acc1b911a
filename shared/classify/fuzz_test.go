package classify

import (
	"testing"
	"time"
)

func known(c Category) bool {
	_, ok := traits[c]
	return ok
}

func FuzzError(f *testing.F) {
	for _, tc := range realErrors {
		f.Add(tc.code, tc.message, []byte(tc.data))
	}
	f.Add(-32000, "", []byte(`{"data":{"data":"\`))
	f.Add(3, "x", []byte(`[[[[[[{"":`))
	f.Fuzz(func(t *testing.T, code int, msg string, data []byte) {
		c := Error(code, msg, data, []Rule{{Code: &code, MessageContains: []string{msg}, Category: UserError}})
		if !known(c) {
			t.Fatalf("Error: category %q is not one of ours", c)
		}
		c = Error(code, msg, data, nil)
		if !known(c) {
			t.Fatalf("Error: category %q is not one of ours", c)
		}
		got, gok := messages.match(msg)
		want, wok := naiveMatch(msg)
		if got != want || gok != wok {
			t.Fatalf("match(%q): got %q %v, want %q %v", msg, got, gok, want, wok)
		}
		if c := HTTP(code, &RPCError{Code: code, Message: msg, Data: data}, nil); !known(c) {
			t.Fatalf("HTTP: category %q is not one of ours", c)
		}
	})
}

func FuzzRetryAfter(f *testing.F) {
	f.Add("try again in 30 seconds", []byte(`{"retry_after":3}`))
	f.Add("x", []byte(`{"rate":{"backoff_seconds":2}}`))
	f.Add("wait ~", []byte(`"`))
	f.Fuzz(func(t *testing.T, msg string, data []byte) {
		if d := RetryAfter(msg, data); d < 0 || d > 24*time.Hour {
			t.Fatalf("RetryAfter(%q, %q): %v out of [0, 24h]", msg, data, d)
		}
	})
}
