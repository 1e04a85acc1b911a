// Package ratelimittest holds what every ratelimit.Limiter is tested with:
// Contract, the behaviours all implementations share, and the clocks they
// run on (FakeClock, which tests move, and RealClock, for a limiter on a
// server's time, which the suite can only wait for).
package ratelimittest
