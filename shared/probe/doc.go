// Package probe knows each provider's head and health the way Lasso's
// probes do (reference 3.2 "consensus height", 4 "probe-driven trials" and 8
// "provider health"): what a probe round asks a provider, how its answers
// move the provider's health, and what a chain's heights add up to.
//
//   - Status and Next: one provider instance's record on one chain (health,
//     height and when it was seen, consecutive failures, backoff) and the
//     pure transition a probe Result makes, clock and jitter injected.
//   - View: a chain's records plus its block-time estimate, with the
//     consensus height (P75 of fresh heights) and a provider's optimistic
//     lag, which routing filters and orders by.
//   - Store: where records live. Memory is the embedded default (the local
//     server's probe goroutine and its router share it); redisstore keeps
//     them in Redis, where the probe Lambda writes and rpc-http reads.
//     Snapshot serves request paths from a copy at most a second old.
//   - Prober: runs rounds at each chain's probe_interval_ms until told to
//     stop, concurrently but bounded. Its eth_blockNumber goes through the
//     router's pipeline with the provider as override, so breakers admit it
//     as a half-open trial and learn from it; its eth_chainId goes straight
//     to the provider and never touches a breaker.
//
// It leaves to others: sending bytes (a proxy.Transport), the breaker
// machine (breaker), ordering candidates (routing), and serving status
// (httpapi).
package probe
