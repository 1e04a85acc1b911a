package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Limit is what one client may do: Rate calls per second on average and up
// to Burst at once (a bucket of Burst tokens refilled at Rate per second).
type Limit struct {
	Rate  int // calls per second, at least 1
	Burst int // bucket size, at least 1
}

func (l Limit) String() string { return fmt.Sprintf("%d/s (burst %d)", l.Rate, l.Burst) }

// ErrInvalid is returned for a Limit with Rate or Burst below 1, or a
// negative count. redis_rate would divide by zero or refund calls; every
// Limiter refuses both the same way, before touching any state.
var ErrInvalid = errors.New("ratelimit: rate and burst must be at least 1 and the count at least 0")

// Check reports whether l may charge n calls: nil, or ErrInvalid wrapped with
// the values. Limiter implementations call it first.
func (l Limit) Check(n int) error {
	if l.Rate < 1 || l.Burst < 1 || n < 0 {
		return fmt.Errorf("%w: rate %d, burst %d, n %d", ErrInvalid, l.Rate, l.Burst, n)
	}
	return nil
}

// Result is the answer to a charge, in redis_rate's shape.
type Result struct {
	// Allowed is the number of calls admitted: all n, or 0 when refused (a
	// charge is all or nothing).
	Allowed int
	// Remaining is how many more calls would be admitted right now, rounded
	// down; 0 when refused.
	Remaining int
	// RetryAfter is how long until the same charge would be admitted; -1
	// when it was admitted (redis_rate's convention). It stays meaningful
	// only when n <= Burst: a larger charge is never admitted.
	RetryAfter time.Duration
	// ResetAfter is how long until the bucket is full again.
	ResetAfter time.Duration
}

// Admitted reports whether the charge went through. It is the one test a
// caller needs: RetryAfter is negative exactly when it did.
func (r Result) Admitted() bool { return r.RetryAfter < 0 }

// Limiter charges calls against a key's allowance. Implementations are safe
// for concurrent use, and a charge is atomic: of two racing charges that do
// not both fit, one is refused.
type Limiter interface {
	// AllowN charges n calls to key under limit. n = 0 reads the state
	// without changing it. An error means the limiter could not decide (the
	// store is unreachable, ctx ended, or ErrInvalid); the caller chooses to
	// fail open or closed.
	AllowN(ctx context.Context, key string, limit Limit, n int) (Result, error)
}

// Key is the limiter key of one client identity within a scope (a profile
// slug): scope, a colon, and 32 hex characters of the identity's SHA-256.
// The identity (an API key, say) never reaches a store or a log in clear,
// and every key has the same short shape whatever the client sent. scope
// must not contain secrets; profile slugs (lower-case letters, digits, '-'
// and '_') are safe inside a Redis hash tag.
func Key(scope, identity string) string {
	sum := sha256.Sum256([]byte(identity))
	var digest [32]byte
	hex.Encode(digest[:], sum[:16])
	return scope + ":" + string(digest[:])
}
