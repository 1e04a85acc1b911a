package ratelimittest

import (
	"sync/atomic"
	"time"
)

// Clock is the time a Limiter under test runs on, as the suite sees it.
type Clock interface {
	Now() time.Time
	// Advance lets d pass on the limiter's clock.
	Advance(d time.Duration)
}

// FakeClock is a settable clock, safe for concurrent use. Pass its Now to
// ratelimit.NewMemory.
type FakeClock struct {
	start time.Time
	ns    atomic.Int64
}

// NewFakeClock returns a clock standing at start.
func NewFakeClock(start time.Time) *FakeClock { return &FakeClock{start: start} }

func (c *FakeClock) Now() time.Time          { return c.start.Add(time.Duration(c.ns.Load())) }
func (c *FakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// RealClock is the wall clock, for a limiter on time the test cannot move
// (Redis's TIME): Advance sleeps. Contract keeps its waits short (a few
// tenths of a second in all) and asserts from RetryAfter and ResetAfter
// instead of waiting wherever it can.
type RealClock struct{}

func (RealClock) Now() time.Time          { return time.Now() }
func (RealClock) Advance(d time.Duration) { time.Sleep(d) }
