package probe

import (
	"math"
	"time"
)

// Health is a provider's health as probes see it (reference 8).
type Health string

// Healths.
const (
	Unknown       Health = "unknown"       // never probed
	Healthy       Health = "healthy"       // the last round answered
	Degraded      Health = "degraded"      // 1 or 2 failed rounds in a row
	Unhealthy     Health = "unhealthy"     // 3 or more
	Misconfigured Health = "misconfigured" // HTTP 401/402, or the wrong chain
	RateLimited   Health = "rate_limited"  // HTTP 403/429, or a quota error
)

// unhealthyAfter failed rounds in a row make a provider unhealthy.
const unhealthyAfter = 3

// Status is one provider instance's probe record on one chain.
type Status struct {
	Health Health `json:"health"`
	// Height is the last head the provider reported and HeightAt when; a
	// failed round keeps them, and the height's age then speaks for itself.
	Height   uint64    `json:"height,omitempty"`
	HeightAt time.Time `json:"height_at,omitzero"`
	Failures int       `json:"failures,omitempty"` // failed rounds in a row
	// Reason says why the last round failed, in words fit for a status
	// page: never a URL or a key.
	Reason    string    `json:"reason,omitempty"`
	CheckedAt time.Time `json:"checked_at,omitzero"`
	// NextAt is the earliest time of the next round: the probe interval
	// after a good round, a growing backoff after bad ones.
	NextAt time.Time `json:"next_at,omitzero"`
	// Latency is the last good round's eth_chainId round trip.
	Latency time.Duration `json:"latency_ns,omitempty"`
}

// Kind is what a round found.
type Kind uint8

// Kinds of Result.
const (
	OK Kind = iota
	Failed
	Misconfig // the provider is set up wrong: retrying soon will not help
	Limited
)

// Result is one probe round of one provider.
type Result struct {
	Kind Kind
	// Height is the head eth_blockNumber reported, when HasHeight: a round
	// can succeed without one (the breaker refused the trial).
	Height    uint64
	HasHeight bool
	Latency   time.Duration
	Reason    string
	// RetryAfter is how long a rate-limited provider asked us to wait.
	RetryAfter time.Duration
}

// Backoff bounds (reference 8: 2 s · 2^(n−1), capped at 30 s, ±20 %).
const (
	backoffBase = 2 * time.Second
	backoffCap  = 30 * time.Second
)

// Backoff is the wait after n failed rounds in a row; jitter in [0, 1)
// spreads it by ±20 % so a fleet of probes does not retry in step.
func Backoff(n int, jitter float64) time.Duration {
	if n < 1 {
		n = 1
	}
	d := backoffCap
	if n < 5 {
		d = min(backoffBase<<(n-1), backoffCap)
	}
	return time.Duration(float64(d) * (0.8 + 0.4*jitter))
}

// Next is the record after round r at now. A failing provider is probed
// again after the longer of its interval and its backoff, so probes back
// off instead of hammering it; a rate-limited one not before it asked.
func Next(prev Status, r Result, now time.Time, interval time.Duration, jitter float64) Status {
	s := prev
	s.CheckedAt = now
	if r.HasHeight {
		s.Height, s.HeightAt = r.Height, now
	}
	if r.Kind == OK {
		s.Health, s.Failures, s.Reason, s.Latency = Healthy, 0, "", r.Latency
		s.NextAt = now.Add(interval)
		return s
	}
	s.Failures++
	s.Reason = r.Reason
	wait := max(interval, Backoff(s.Failures, jitter))
	switch r.Kind {
	case Misconfig:
		s.Health = Misconfigured
	case Limited:
		s.Health = RateLimited
		wait = max(wait, r.RetryAfter)
	default:
		s.Health = Degraded
		if s.Failures >= unhealthyAfter {
			s.Health = Unhealthy
		}
	}
	s.NextAt = now.Add(wait)
	return s
}

// Usable says whether routing should count the provider as serving: every
// health but unhealthy and misconfigured (a degraded or rate-limited
// provider still answers some calls; one never probed is given the benefit
// of the doubt).
func (s Status) Usable() bool {
	return s.Health != Unhealthy && s.Health != Misconfigured
}

// round is a float's nearest integer, for block counts.
func round(f float64) int64 { return int64(math.Round(f)) }
