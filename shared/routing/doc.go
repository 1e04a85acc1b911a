// Package routing decides which providers a call may go to and in what
// order: the strategies (chosen by name from one map) and the Planner that
// applies them to a chain's providers.
//
// The Router also remembers how channels behaved (it is the Forwarder's
// Health): breakers through a breaker.Store, latency evidence and
// rate-limited-until in the process. Shared storage replaces them behind the
// same calls, so the Forwarder never changes.
package routing
