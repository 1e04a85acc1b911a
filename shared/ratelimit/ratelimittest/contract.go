package ratelimittest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/ratelimit"
)

// epsilon absorbs redis_rate's float arithmetic: its script computes in
// seconds since 2017 as doubles, whose last bit is tens of nanoseconds.
const epsilon = time.Microsecond

// Contract runs the behaviours every Limiter shares. newLimiter returns a
// limiter and the clock it runs on; limiters it returns may share state
// (one Redis server), because the suite never reuses a key across cases.
//
// On a real clock time passes between calls: each assertion allows for the
// time measured around it (zero on a FakeClock, where every value is exact),
// plus a microsecond and, for Remaining, one call, for redis_rate's float
// rounding. Waits happen only through Clock.Advance.
func Contract(t *testing.T, newLimiter func(t *testing.T) (ratelimit.Limiter, Clock)) {
	t.Helper()

	t.Run("a burst is admitted at once, then refused for one interval", func(t *testing.T) {
		l, c := newLimiter(t)
		k := key(t, "a")
		lim := ratelimit.Limit{Rate: 10, Burst: 5}
		ei := interval(lim)
		s := since(c)
		for i := 1; i <= 5; i++ {
			r := allow(t, l, k, lim, 1)
			admitted(t, r, 1)
			remaining(t, r, 5-i, s, ei)
			near(t, "ResetAfter", r.ResetAfter, time.Duration(i)*ei, s)
		}
		r := allow(t, l, k, lim, 1)
		refused(t, r)
		near(t, "RetryAfter", r.RetryAfter, ei, s)
		near(t, "ResetAfter", r.ResetAfter, 5*ei, s)
	})

	t.Run("refused charges spend nothing", func(t *testing.T) {
		l, c := newLimiter(t)
		k := key(t, "a")
		lim := ratelimit.Limit{Rate: 20, Burst: 2}
		ei := interval(lim)
		allow(t, l, k, lim, 2)
		var r ratelimit.Result
		var s *span
		for range 3 {
			s = since(c) // before the call: its RetryAfter counts from a later instant
			r = allow(t, l, k, lim, 1)
			refused(t, r)
		}
		wait := r.RetryAfter
		c.Advance(wait)
		s.at = s.at.Add(wait)
		admitted(t, allow(t, l, k, lim, 1), 1)
		r = allow(t, l, k, lim, 1)
		refused(t, r)
		near(t, "RetryAfter after the refill", r.RetryAfter, ei, s)
	})

	t.Run("the bucket refills at Rate", func(t *testing.T) {
		l, c := newLimiter(t)
		k := key(t, "a")
		lim := ratelimit.Limit{Rate: 50, Burst: 5}
		ei := interval(lim)
		s := since(c)
		r := allow(t, l, k, lim, 5)
		admitted(t, r, 5)
		near(t, "ResetAfter of an emptied bucket", r.ResetAfter, 5*ei, s)
		c.Advance(3 * ei)
		s.at = s.at.Add(3 * ei)
		r = allow(t, l, k, lim, 4)
		refused(t, r)
		near(t, "RetryAfter of 4 after 3 intervals", r.RetryAfter, ei, s)
		near(t, "ResetAfter after 3 intervals", r.ResetAfter, 2*ei, s)
		admitted(t, allow(t, l, k, lim, 3), 3)
		refused(t, allow(t, l, k, lim, 1))
	})

	t.Run("AllowN charges n calls at once", func(t *testing.T) {
		l, c := newLimiter(t)
		k := key(t, "a")
		lim := ratelimit.Limit{Rate: 10, Burst: 10}
		ei := interval(lim)
		s := since(c)
		r := allow(t, l, k, lim, 4)
		admitted(t, r, 4)
		remaining(t, r, 6, s, ei)
		near(t, "ResetAfter", r.ResetAfter, 4*ei, s)
		r = allow(t, l, k, lim, 7)
		refused(t, r)
		near(t, "RetryAfter of 7 with 6 left", r.RetryAfter, ei, s)
		near(t, "ResetAfter", r.ResetAfter, 4*ei, s)
		r = allow(t, l, k, lim, 6)
		admitted(t, r, 6)
		remaining(t, r, 0, s, ei)
		near(t, "ResetAfter", r.ResetAfter, 10*ei, s)
		refused(t, allow(t, l, k, lim, 1))
	})

	t.Run("a charge larger than Burst is refused and spends nothing", func(t *testing.T) {
		l, c := newLimiter(t)
		k := key(t, "a")
		lim := ratelimit.Limit{Rate: 10, Burst: 3}
		s := since(c)
		r := allow(t, l, k, lim, 4)
		refused(t, r)
		// redis_rate's answer, although no wait will ever admit 4.
		near(t, "RetryAfter", r.RetryAfter, interval(lim), s)
		admitted(t, allow(t, l, k, lim, 3), 3)
	})

	t.Run("n = 0 reads without spending", func(t *testing.T) {
		l, c := newLimiter(t)
		k := key(t, "a")
		lim := ratelimit.Limit{Rate: 10, Burst: 4}
		ei := interval(lim)
		s := since(c)
		r := allow(t, l, k, lim, 0)
		if !r.Admitted() || r.Allowed != 0 {
			t.Fatalf("AllowN(0) on a new key = %+v, want admitted with Allowed 0", r)
		}
		remaining(t, r, 4, s, ei)
		allow(t, l, k, lim, 2)
		r = allow(t, l, k, lim, 0)
		remaining(t, r, 2, s, ei)
		near(t, "ResetAfter", r.ResetAfter, 2*ei, s)
		admitted(t, allow(t, l, k, lim, 2), 2)
		refused(t, allow(t, l, k, lim, 1))
	})

	t.Run("keys are independent", func(t *testing.T) {
		l, _ := newLimiter(t)
		a, b := key(t, "a"), key(t, "b")
		lim := ratelimit.Limit{Rate: 10, Burst: 2}
		admitted(t, allow(t, l, a, lim, 2), 2)
		refused(t, allow(t, l, a, lim, 1))
		admitted(t, allow(t, l, b, lim, 2), 2)
		refused(t, allow(t, l, a, lim, 1))
	})

	t.Run("invalid limits and counts are errors that spend nothing", func(t *testing.T) {
		l, _ := newLimiter(t)
		k := key(t, "a")
		ok := ratelimit.Limit{Rate: 10, Burst: 2}
		for _, c := range []struct {
			lim ratelimit.Limit
			n   int
		}{
			{ratelimit.Limit{Rate: 0, Burst: 2}, 1},
			{ratelimit.Limit{Rate: -1, Burst: 2}, 1},
			{ratelimit.Limit{Rate: 10, Burst: 0}, 1},
			{ok, -1},
		} {
			if _, err := l.AllowN(context.Background(), k, c.lim, c.n); !errors.Is(err, ratelimit.ErrInvalid) {
				t.Errorf("AllowN(%v, %d): error %v, want ErrInvalid", c.lim, c.n, err)
			}
		}
		admitted(t, allow(t, l, k, ok, 2), 2)
	})

	t.Run("racing charges never overspend", func(t *testing.T) {
		l, c := newLimiter(t)
		k := key(t, "a")
		lim := ratelimit.Limit{Rate: 1, Burst: 20}
		start := c.Now()
		var got atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, 50)
		for range 50 {
			wg.Go(func() {
				r, err := l.AllowN(context.Background(), k, lim, 1)
				if err != nil {
					errs <- err
					return
				}
				got.Add(int64(r.Allowed))
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		refill := int64(c.Now().Sub(start) / time.Second) // whole tokens that could have come back
		if n := got.Load(); n < 20 || n > 20+refill {
			t.Fatalf("50 racing calls admitted %d, want 20 (burst) plus at most %d refilled", n, refill)
		}
	})
}

// key is unique to the test and the name, so limiters sharing one store
// never see each other's keys; it has the shape the router uses.
func key(t *testing.T, name string) string { return ratelimit.Key("contract", t.Name()+"/"+name) }

func interval(l ratelimit.Limit) time.Duration { return time.Second / time.Duration(l.Rate) }

// span measures how much time can have passed unseen since at.
type span struct {
	c  Clock
	at time.Time
}

func since(c Clock) *span { return &span{c: c, at: c.Now()} }

func (s *span) elapsed() time.Duration { return max(s.c.Now().Sub(s.at), 0) }

func allow(t *testing.T, l ratelimit.Limiter, k string, lim ratelimit.Limit, n int) ratelimit.Result {
	t.Helper()
	r, err := l.AllowN(context.Background(), k, lim, n)
	if err != nil {
		t.Fatalf("AllowN(%v, %d): %v", lim, n, err)
	}
	return r
}

func admitted(t *testing.T, r ratelimit.Result, n int) {
	t.Helper()
	if !r.Admitted() || r.Allowed != n || r.RetryAfter != -1 {
		t.Fatalf("got %+v, want %d admitted (Allowed %d, RetryAfter -1)", r, n, n)
	}
}

func refused(t *testing.T, r ratelimit.Result) {
	t.Helper()
	if r.Admitted() || r.Allowed != 0 || r.Remaining != 0 || r.RetryAfter <= 0 {
		t.Fatalf("got %+v, want refused (Allowed 0, Remaining 0, RetryAfter > 0)", r)
	}
}

// near checks a duration that shrinks as time passes: want at the span's
// start, and no less than want minus the time elapsed since.
func near(t *testing.T, what string, got, want time.Duration, s *span) {
	t.Helper()
	if lo := want - s.elapsed() - epsilon; got < lo || got > want+epsilon {
		t.Errorf("%s = %v, want %v (at least %v after the time that passed)", what, got, want, lo)
	}
}

// remaining checks Remaining, which grows as time passes.
func remaining(t *testing.T, r ratelimit.Result, want int, s *span, ei time.Duration) {
	t.Helper()
	hi := want + int(s.elapsed()/ei)
	if r.Remaining < want-1 || r.Remaining > hi || (r.Remaining == want-1 && s.exact()) {
		t.Errorf("Remaining = %d, want %d (up to %d after the time that passed)", r.Remaining, want, hi)
	}
}

// exact reports whether no time passed: a fake clock, where values are exact
// and Remaining is never rounded a call low.
func (s *span) exact() bool { return s.elapsed() == 0 }
