package proxy

import (
	"context"
	"time"

	"github.com/lasso-serverless/lasso/shared/profile"
)

// Transports a provider is reached by.
const (
	HTTP = "http"
	WS   = "ws"
)

// Candidate is one channel a call may be sent on: a provider and a
// transport.
type Candidate struct {
	Provider  *profile.Provider
	Transport string
	// Breaker is the channel's breaker state when planned ("closed",
	// "half_open"), for routing metadata.
	Breaker string
}

// Plan is the ordered list of candidates for a call.
type Plan struct {
	Candidates []Candidate
	// Skipped counts channels left out for this call only (capability
	// limits); they count as retries, as in Lasso.
	Skipped int
	// AllOpen is set when candidates existed but every breaker was open;
	// RetryIn is then the shortest wait until one is due (zero if unknown).
	AllOpen bool
	RetryIn time.Duration
}

// Planner orders the channels to try for a call. The routing package
// implements it; the Forwarder only walks the list.
type Planner interface {
	Plan(ctx context.Context, c *Call) Plan
}

// Admission is a breaker's answer for one attempt.
type Admission uint8

// Admissions.
const (
	Admit   Admission = iota
	Trial             // a half-open breaker's single trial
	Refused           // open, or a trial already in flight
)

// Outcome is what one dispatched attempt showed about its channel.
type Outcome struct {
	Success    bool
	Category   string // classify category of a failure; "" for success
	Latency    time.Duration
	RetryAfter time.Duration // a provider's requested wait (rate limits)
	// Neutral outcomes (a revert, invalid params, a capability miss) say
	// nothing about the channel's health or speed.
	Neutral bool
}

// Health is the router's shared memory of channels: breakers, evidence and
// rate limits. Admit is asked before each dispatch (it takes a half-open
// trial atomically); Record is told every dispatched attempt's outcome.
type Health interface {
	Admit(ctx context.Context, c *Call, cand Candidate) Admission
	Record(ctx context.Context, c *Call, cand Candidate, o Outcome)
}
