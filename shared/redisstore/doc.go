// Package redisstore implements the core's state interfaces on Redis (or
// Valkey, standalone or in cluster mode, as ElastiCache serves them) through
// go-redis: circuit breakers (Breakers, a breaker.Store), and beside them, in
// sibling files, routing evidence, rate-limited-until marks, client rate
// limits and probe records (Probes, a probe.Store). It is one technology:
// it imports core packages, go-redis and the standard library, and no other
// adapter.
//
// Every Lambda container of a region shares these states, so every
// read-modify-write here is atomic on the server (a Lua script), and every
// key of one group carries the hash tag the design's key plan gives it, so
// that a cluster serves the group from one slot: `{u:<instance>}` for a
// physical upstream's breakers and rate limits, `{p:<profile>:<chain>}` for
// routing evidence, `{chain:<chain id>}` for a chain's probe records (one
// hash, `{chain:<id>}:probe`), and `{c:<client key>}` for a client's rate
// limit. Keys expire after a day without writes (probe records after two
// hours, see Probes; client limits once their bucket is full again), so
// upstreams that leave the configuration do not leak.
//
// Time comes from the caller, never from the Redis server's clock, so that
// states written by different containers compare and tests drive time with
// explicit instants. The one exception is ClientLimiter: redis_rate's GCRA
// reads the server's TIME, which is exactly one clock for the whole fleet. Redis trouble surfaces as errors, promptly (NewClient's
// timeouts are those of a hot path); what a caller does then (route on with
// its own container's state) is the caller's business, and never a 5xx.
//
// NewClient builds the go-redis client from a redis:// or rediss:// URL
// without ever putting the URL's password in an error.
package redisstore
