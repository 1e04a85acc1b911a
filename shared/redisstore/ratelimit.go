package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/lasso-serverless/lasso/shared/ratelimit"
)

// ClientLimiter keeps client rate limits in Redis with redis_rate: GCRA in
// one Lua script per charge, so every container of a region charges the
// same buckets atomically.
//
// Unlike the other states here it runs on the Redis server's clock (the
// script reads TIME), which is what lets containers whose clocks disagree
// share a bucket; ratelimit.Memory computes the same answers on a local
// clock, and ratelimittest.Contract holds the two together.
//
// A key is stored as rate:{c:<key>}, the whole key being its hash tag, so
// clients spread over a cluster's slots while each one's bucket stays in
// one. Keys should be ratelimit.Key values (<profile>:<hex digest>): no
// client secret reaches Redis, and no brace can break the tag. redis_rate
// sets each key to expire once its bucket is full again, so idle clients
// cost nothing.
type ClientLimiter struct {
	rl *redis_rate.Limiter
}

var _ ratelimit.Limiter = (*ClientLimiter)(nil)

// NewClientLimiter returns a limiter on rdb (a *redis.Client or a
// *redis.ClusterClient).
func NewClientLimiter(rdb redis.UniversalClient) *ClientLimiter {
	return &ClientLimiter{rl: redis_rate.NewLimiter(rdb)}
}

// AllowN charges n calls to key under limit, in one round trip.
func (c *ClientLimiter) AllowN(ctx context.Context, key string, limit ratelimit.Limit, n int) (ratelimit.Result, error) {
	if err := limit.Check(n); err != nil {
		return ratelimit.Result{}, err
	}
	r, err := c.rl.AllowN(ctx, clientLimitKey(key), redis_rate.Limit{Rate: limit.Rate, Burst: limit.Burst, Period: time.Second}, n)
	if err != nil {
		return ratelimit.Result{}, fmt.Errorf("redisstore: client rate limit: %w", err)
	}
	return ratelimit.Result{Allowed: r.Allowed, Remaining: r.Remaining, RetryAfter: r.RetryAfter, ResetAfter: r.ResetAfter}, nil
}

// clientLimitKey is the key handed to redis_rate, which prefixes "rate:".
func clientLimitKey(key string) string { return "{c:" + key + "}" }
