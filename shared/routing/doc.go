// Package routing decides which providers a call may go to and in what
// order: the strategies (chosen by name from one map) and the Planner that
// applies them to a chain's providers.
//
// It owns no state of its own yet: evidence (latency, reliability), breaker
// tiers, capability and lag filters plug in here as they are built, behind
// the same Plan call, so the Forwarder never changes.
package routing
