// Package ratelimit owns client rate limits: the Limit a profile grants each
// client (rps_limit, burst_limit), the Result of charging calls against it,
// the Limiter seam every store implements, and Memory, the single-process
// limiter.
//
// The algorithm is GCRA, the one github.com/go-redis/redis_rate runs as a
// Lua script on Redis: a key's state is one instant, its theoretical arrival
// time (TAT). A charge of n calls moves the TAT n emission intervals (1/Rate
// s) later, and is refused when that would put the TAT more than Burst
// intervals ahead of now. This is exactly the token bucket the Lasso docs
// describe, a bucket of Burst tokens refilled at Rate per second, kept as
// one number instead of a count and a timestamp. Memory reproduces the
// script's arithmetic and its Result, so a router answers the same with or
// without Redis (ratelimittest.Contract runs against both).
//
// It leaves to others: who the client is and which profile applies
// (httpapi), the wire answer to a refusal (httpapi), and the Redis store
// (redisstore.ClientLimiter, on Redis server time).
package ratelimit
