// Package routing decides which providers a call may go to and in what
// order: the strategies (chosen by name from one map) and the Planner that
// applies them to a chain's providers.
//
// A plan reads the chain's probe records (Options.Heads, a probe.View) once:
// their consensus height decides which calls need archival data and how old
// a block is; with max_lag_blocks set, providers whose optimistic height is
// further behind it are left out (reference 3.2 step 5); a call that names a
// block tries first, within each health tier, the providers whose optimistic
// height reaches it (step 6); providers probes found misconfigured are tried
// last. Every narrowing fails open: where Lasso plans nothing because every
// provider lags, this package keeps them all and logs a warning.
//
// The Router also remembers how channels behaved (it is the Forwarder's
// Health): breakers through a breaker.Store, latency evidence and
// rate-limited-until in the process. Shared storage replaces them behind the
// same calls, so the Forwarder never changes. The router's own probes
// (proxy.Call.System) move breakers and rate limits but are no evidence.
//
// It leaves to others: probing providers and keeping their records (probe),
// sending calls and walking the plan (proxy).
package routing
