package ratelimit

import (
	"math"
	"time"
)

// gcra is redis_rate's allowN script as a pure function. Instants are
// nanoseconds on one monotonic axis; tat is the key's stored theoretical
// arrival time, or anything <= now for a key with no state. It returns the
// TAT to store (only meaningful when admitted) and the Result.
//
// The script computes in float seconds; this computes in integer
// nanoseconds with saturation, so that any Limit a profile can hold gives a
// sensible answer and equal inputs give exactly equal outputs. The emission
// interval is rounded down to the nanosecond, at least 1 ns.
func gcra(tat, now time.Duration, l Limit, n int) (time.Duration, Result) {
	interval := max(time.Second/time.Duration(l.Rate), 1)
	increment := mulSat(interval, n)
	burstOffset := mulSat(interval, l.Burst)
	// debt is how far the TAT runs ahead of now: the time until the bucket
	// is full. Working from it instead of absolute instants keeps every sum
	// between 0 and MaxInt64.
	debt := max(tat-now, 0)
	newDebt := addSat(debt, increment)
	diff := burstOffset - newDebt // the script's now - allow_at
	if diff < 0 {
		return tat, Result{Allowed: 0, Remaining: 0, RetryAfter: -diff, ResetAfter: debt}
	}
	return addSat(now, newDebt), Result{
		Allowed:    n,
		Remaining:  int(diff / interval),
		RetryAfter: -1,
		ResetAfter: newDebt,
	}
}

// mulSat is d*n for d > 0, n >= 0, capped at MaxInt64.
func mulSat(d time.Duration, n int) time.Duration {
	if n != 0 && int64(d) > math.MaxInt64/int64(n) {
		return math.MaxInt64
	}
	return d * time.Duration(n)
}

// addSat is a+b for b >= 0, capped at MaxInt64.
func addSat(a, b time.Duration) time.Duration {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}
