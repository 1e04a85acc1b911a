package ratelimit_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/ratelimit"
	"github.com/lasso-serverless/lasso/shared/ratelimit/ratelimittest"
)

var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func TestMemoryContract(t *testing.T) {
	ratelimittest.Contract(t, func(t *testing.T) (ratelimit.Limiter, ratelimittest.Clock) {
		c := ratelimittest.NewFakeClock(t0)
		return ratelimit.NewMemory(c.Now), c
	})
}

func allowN(t *testing.T, m *ratelimit.Memory, key string, lim ratelimit.Limit, n int) ratelimit.Result {
	t.Helper()
	r, err := m.AllowN(context.Background(), key, lim, n)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestMemoryExact pins the arithmetic on a fake clock, where every value is
// exact: 20 per second, burst 20.
func TestMemoryExact(t *testing.T) {
	c := ratelimittest.NewFakeClock(t0)
	m := ratelimit.NewMemory(c.Now)
	lim := ratelimit.Limit{Rate: 20, Burst: 20}
	for i := 1; i <= 20; i++ {
		want := ratelimit.Result{Allowed: 1, Remaining: 20 - i, RetryAfter: -1, ResetAfter: time.Duration(i) * 50 * time.Millisecond}
		if got := allowN(t, m, "k", lim, 1); got != want {
			t.Fatalf("call %d at t0: got %+v, want %+v", i, got, want)
		}
	}
	steps := []struct {
		name    string
		advance time.Duration
		n       int
		want    ratelimit.Result
	}{
		{"21st at t0 is refused for one interval", 0, 1, ratelimit.Result{RetryAfter: 50 * time.Millisecond, ResetAfter: time.Second}},
		{"49 ms later, still 1 ms short", 49 * time.Millisecond, 1, ratelimit.Result{RetryAfter: time.Millisecond, ResetAfter: 951 * time.Millisecond}},
		{"at 50 ms one more", time.Millisecond, 1, ratelimit.Result{Allowed: 1, Remaining: 0, RetryAfter: -1, ResetAfter: time.Second}},
		{"and none after it", 0, 1, ratelimit.Result{RetryAfter: 50 * time.Millisecond, ResetAfter: time.Second}},
		{"after 250 ms, 5 at once", 250 * time.Millisecond, 5, ratelimit.Result{Allowed: 5, Remaining: 0, RetryAfter: -1, ResetAfter: time.Second}},
		{"300 ms on, 10 with 6 back is 4 intervals short", 300 * time.Millisecond, 10, ratelimit.Result{RetryAfter: 200 * time.Millisecond, ResetAfter: 700 * time.Millisecond}},
		{"the refusal spent nothing: 6 go", 0, 6, ratelimit.Result{Allowed: 6, Remaining: 0, RetryAfter: -1, ResetAfter: time.Second}},
		{"a full second refills all 20", time.Second, 0, ratelimit.Result{Allowed: 0, Remaining: 20, RetryAfter: -1, ResetAfter: 0}},
		{"a charge over the burst is never admitted", 0, 21, ratelimit.Result{RetryAfter: 50 * time.Millisecond, ResetAfter: 0}},
		{"n = 0 on a full bucket", time.Hour, 0, ratelimit.Result{Allowed: 0, Remaining: 20, RetryAfter: -1}},
	}
	for _, s := range steps {
		c.Advance(s.advance)
		if got := allowN(t, m, "k", lim, s.n); got != s.want {
			t.Fatalf("%s: AllowN(%d) = %+v, want %+v", s.name, s.n, got, s.want)
		}
	}
}

// TestMemoryRoundsIntervalDown: 3 per second is an interval of 333,333,333
// ns, so three calls leave a debt of 999,999,999 ns, not a second.
func TestMemoryRoundsIntervalDown(t *testing.T) {
	c := ratelimittest.NewFakeClock(t0)
	m := ratelimit.NewMemory(c.Now)
	lim := ratelimit.Limit{Rate: 3, Burst: 3}
	got := allowN(t, m, "k", lim, 3)
	if want := (ratelimit.Result{Allowed: 3, Remaining: 0, RetryAfter: -1, ResetAfter: 999_999_999}); got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestMemoryHugeLimitsSaturate(t *testing.T) {
	c := ratelimittest.NewFakeClock(t0)
	m := ratelimit.NewMemory(c.Now)
	for _, lim := range []ratelimit.Limit{
		{Rate: 1, Burst: 1 << 62},
		{Rate: 1 << 40, Burst: 1 << 40},
	} {
		r := allowN(t, m, lim.String(), lim, 1<<40)
		if !r.Admitted() || r.ResetAfter <= 0 {
			t.Errorf("%v: AllowN(2^40) = %+v, want admitted with a positive reset", lim, r)
		}
	}
	r := allowN(t, m, "tiny burst", ratelimit.Limit{Rate: 1, Burst: 1}, 1<<62)
	if r.Admitted() || r.RetryAfter <= 0 {
		t.Errorf("AllowN(2^62) with burst 1 = %+v, want refused", r)
	}
}

func TestMemoryCanceledContext(t *testing.T) {
	m := ratelimit.NewMemory(time.Now)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.AllowN(ctx, "k", ratelimit.Limit{Rate: 1, Burst: 1}, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

// TestMemoryForgetsFullBuckets: a key is held only while its bucket is not
// full, so memory follows recent clients, not every client ever seen.
func TestMemoryForgetsFullBuckets(t *testing.T) {
	c := ratelimittest.NewFakeClock(t0)
	m := ratelimit.NewMemory(c.Now)
	lim := ratelimit.Limit{Rate: 10, Burst: 10} // a bucket refills in 1 s
	for i := range 10_000 {
		allowN(t, m, fmt.Sprint("old", i), lim, 1)
	}
	if n := m.Len(); n != 10_000 {
		t.Fatalf("Len = %d after 10,000 new clients, want 10,000", n)
	}
	c.Advance(100 * time.Millisecond) // every old bucket is full again
	for i := range 20_000 {
		allowN(t, m, fmt.Sprint("new", i), lim, 1)
	}
	// Each shard sweeps when it doubles: the old keys are gone, new ones stay.
	if n := m.Len(); n < 20_000 || n >= 30_000 {
		t.Fatalf("Len = %d after 20,000 more clients once the first were full, want the old ones swept", n)
	}
	// State survives sweeps: a new key is still charged.
	if r := allowN(t, m, "new0", lim, 0); r.Remaining != 9 {
		t.Fatalf("new0 after the sweeps: %+v, want 9 remaining", r)
	}
}
