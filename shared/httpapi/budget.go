package httpapi

import "sync/atomic"

// byteBudget bounds the request bytes in flight across all requests, so a
// burst of large bodies is refused (503) instead of exhausting memory.
type byteBudget struct {
	limit int64
	used  atomic.Int64
}

// minCharge makes many tiny requests count too: each holds buffers of its own.
const minCharge = 4 << 10

func newByteBudget(limit int64) *byteBudget { return &byteBudget{limit: limit} }

// take reserves n bytes; it returns the charge to give back, or 0 if refused.
func (b *byteBudget) take(n int) int64 {
	c := max(int64(n), minCharge)
	if b.used.Add(c) > b.limit {
		b.used.Add(-c)
		return 0
	}
	return c
}

func (b *byteBudget) give(c int64) { b.used.Add(-c) }
