// Package breaker owns the circuit breaker of one upstream endpoint, keyed by
// (instance, transport): a pure state machine over (State, Outcome, now) that
// admits or refuses attempts, counts failures, opens, backs off and recovers
// the way Lasso's breaker does, and the Store seam through which every
// process shares those states.
//
// It leaves to others: turning an attempt's result into a category (the
// classify package; categories arrive here as plain strings so this package
// stays a leaf), ordering candidates into health tiers (routing), the
// proactive recovery timer and the polls that serve as trials (probe), and
// keeping states in Redis (redisstore). Memory is the single-process Store,
// for tests and for anything that runs in one process.
//
// Who decides what counts: this package, from the category alone, through
// Config.Counted. A caller records every dispatched attempt as it happened and
// never filters; the breaker applies Lasso's shared-mode filter (timeouts do
// not count, so one profile's slow workload cannot trip an upstream every
// profile shares) and our departures from Lasso: a rate limit (an HTTP 429 as
// much as a -32005) never counts, and neither does any category the Config
// does not list, so a well-formed JSON-RPC error with a code nobody knows
// penalises nobody. The policy sits beside the thresholds it goes with, and a
// typo in a category name fails safe (neutral) instead of benching an
// upstream.
//
// How a request uses a Store: Load the states of all its candidates in one
// call; run Config.Admit on each snapshot state to tier and filter them, which
// costs nothing for a closed breaker; go back to Store.Admit only for a
// candidate about to be dispatched whose snapshot predicts a half-open trial,
// because only the store can grant the single trial lease atomically; then
// Record the attempt's outcome, one call per attempt, neutral outcomes
// included, since recording is what releases a trial lease.
package breaker
