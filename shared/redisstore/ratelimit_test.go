package redisstore

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/lasso-serverless/lasso/shared/ratelimit"
	"github.com/lasso-serverless/lasso/shared/ratelimit/ratelimittest"
	"github.com/lasso-serverless/lasso/shared/redisstore/redistest"
)

func TestClientLimiterContractStandalone(t *testing.T) {
	s := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr})
	t.Cleanup(func() { _ = rdb.Close() })
	ratelimittest.Contract(t, func(t *testing.T) (ratelimit.Limiter, ratelimittest.Clock) {
		return NewClientLimiter(rdb), ratelimittest.RealClock{}
	})
}

func TestClientLimiterContractCluster(t *testing.T) {
	c := redistest.StartCluster(t)
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs()})
	t.Cleanup(func() { _ = rdb.Close() })
	ratelimittest.Contract(t, func(t *testing.T) (ratelimit.Limiter, ratelimittest.Clock) {
		return NewClientLimiter(rdb), ratelimittest.RealClock{}
	})
}

// TestClientLimiterKeys: a bucket is one key, named by its hash tag, holding
// no client secret, and expiring once the bucket is full again.
func TestClientLimiterKeys(t *testing.T) {
	s := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr})
	t.Cleanup(func() { _ = rdb.Close() })
	ctx := context.Background()
	const secret = "key:sk_live_THE_CLIENTS_API_KEY"
	key := ratelimit.Key("public", secret)
	if _, err := NewClientLimiter(rdb).AllowN(ctx, key, ratelimit.Limit{Rate: 1, Burst: 10}, 3); err != nil {
		t.Fatal(err)
	}
	keys, err := rdb.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if want := "rate:{c:" + key + "}"; len(keys) != 1 || keys[0] != want {
		t.Fatalf("keys %q, want [%q]", keys, want)
	}
	if strings.Contains(keys[0], "sk_live") {
		t.Fatalf("key %q holds the client's secret", keys[0])
	}
	ttl, err := rdb.TTL(ctx, keys[0]).Result()
	if err != nil || ttl <= 0 || ttl > 3*time.Second {
		t.Fatalf("TTL %v %v, want the 3 s until the bucket is full", ttl, err)
	}
}

// TestClientLimiterRedisDown: with the server gone a charge fails promptly
// with an error (the caller fails open or closed), bounded by ctx.
func TestClientLimiterRedisDown(t *testing.T) {
	s := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr, MaxRetries: -1})
	t.Cleanup(func() { _ = rdb.Close() })
	l := NewClientLimiter(rdb)
	lim := ratelimit.Limit{Rate: 10, Burst: 10}
	if _, err := l.AllowN(context.Background(), "public:x", lim, 1); err != nil {
		t.Fatal(err)
	}
	s.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := l.AllowN(ctx, "public:x", lim, 1)
	if err == nil {
		t.Fatal("AllowN with Redis down: no error")
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("AllowN with Redis down took %v", d)
	}
	if !strings.HasPrefix(err.Error(), "redisstore: client rate limit: ") {
		t.Errorf("error %q, want it to say what failed", err)
	}
	if _, err := l.AllowN(ctx, "public:x", ratelimit.Limit{}, 1); !errors.Is(err, ratelimit.ErrInvalid) {
		t.Errorf("invalid limit: %v, want ErrInvalid before any round trip", err)
	}
}

// BenchmarkClientLimiterAllowN is one charge on a loopback redis-server: a
// round trip and a script run.
func BenchmarkClientLimiterAllowN(b *testing.B) {
	s := redistest.Start(b)
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr})
	b.Cleanup(func() { _ = rdb.Close() })
	l := NewClientLimiter(rdb)
	ctx := context.Background()
	lim := ratelimit.Limit{Rate: 1 << 30, Burst: 1 << 30}
	key := ratelimit.Key("public", "ip:192.0.2.1")
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := l.AllowN(ctx, key, lim, 1); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := l.AllowN(ctx, key, lim, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}
