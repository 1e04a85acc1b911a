package breaker

import (
	"strconv"
	"time"
)

// Phase is where a breaker is in its cycle. The zero value is Closed, so a
// breaker nobody has stored yet is a healthy one.
type Phase uint8

const (
	Closed Phase = iota
	Open
	HalfOpen
)

// String gives the names Lasso's dashboard and logs use.
func (p Phase) String() string {
	switch p {
	case Closed:
		return "closed"
	case Open:
		return "open"
	case HalfOpen:
		return "half_open"
	}
	return "phase(" + strconv.Itoa(int(p)) + ")"
}

// State is everything a breaker remembers; it is what a Store keeps per Key.
// The zero value is a closed breaker with no history, and a closing breaker
// returns to exactly that value, so a store may delete it.
type State struct {
	Phase Phase
	// Failures counts consecutive counted failures across categories: Lasso
	// opens on the threshold of the failure that arrives, not of the mix.
	Failures int
	// OpenUntil is when an open breaker becomes due for a trial.
	OpenUntil time.Time
	// Reopens counts failed trials since the breaker last closed; it drives
	// the exponential backoff.
	Reopens int
	// Successes counts successful trials in half-open.
	Successes int
	// TrialUntil is the half-open trial lease: while now is before it, a
	// trial is in flight and nobody else may try. It expires on its own so
	// that a trial whose outcome never comes back (a Lambda killed mid-call)
	// cannot wedge the breaker.
	TrialUntil time.Time
	// OpenedBy is the category of the failure that opened the breaker; a
	// breaker opened by a rate limit closes after one success.
	OpenedBy string
}

// Decision is the answer to "may this attempt go to this upstream now?".
// The zero value refuses, so a decision nobody made never lets traffic
// through.
type Decision uint8

const (
	// Reject: the breaker is open and not yet due.
	Reject Decision = iota
	// Allow: the breaker is closed.
	Allow
	// AllowTrial: the breaker is half-open and this attempt is its one
	// trial; the state returned with it holds the lease.
	AllowTrial
	// Busy: the breaker is half-open and another trial holds the lease.
	Busy
)

// Allowed reports whether the attempt may be dispatched.
func (d Decision) Allowed() bool { return d == Allow || d == AllowTrial }

// String gives Lasso's admission reasons, for logs and telemetry.
func (d Decision) String() string {
	switch d {
	case Reject:
		return "circuit_open"
	case Allow:
		return "allow"
	case AllowTrial:
		return "half_open_trial"
	case Busy:
		return "half_open_busy"
	}
	return "decision(" + strconv.Itoa(int(d)) + ")"
}

// Outcome is what one dispatched attempt came to. The zero value is a neutral
// outcome: not a success, no category that counts.
type Outcome struct {
	Success bool
	// Category names the failure with the classify package's names
	// (server_error, network_error, timeout, auth_error, protocol_error,
	// rate_limit, ...). Config.Counted decides whether it counts.
	Category string
	// RetryAfter is the upstream's own estimate for a rate limit; a breaker
	// opened by a counted rate limit waits exactly that long.
	RetryAfter time.Duration
}
