package classify

import "testing"

// BenchmarkError classifies the real error objects in turn: a mix of
// reverts with data, patterns early and late in the priority order, and
// messages that match nothing.
func BenchmarkError(b *testing.B) {
	type in struct {
		code int
		msg  string
		data []byte
	}
	set := make([]in, len(realErrors))
	for i, tc := range realErrors {
		set[i] = in{tc.code, tc.message, nil}
		if tc.data != "" {
			set[i].data = []byte(tc.data)
		}
	}
	code := -32000
	rules := []Rule{{Code: &code, MessageContains: []string{"missing trie node"}, Category: RequiresArchival}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tc := set[i%len(set)]
		_ = Error(tc.code, tc.msg, tc.data, rules)
	}
}

func BenchmarkRetryAfter(b *testing.B) {
	data := []byte(`{"see":"https://infura.io/docs/ethereum/jsonrpc/ratelimits","current_rps":13.333,"allowed_rps":10.0,"backoff_seconds":30.0}`)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = RetryAfter("project ID request rate exceeded", data)
	}
}
