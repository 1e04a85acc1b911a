package ratelimit_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/ratelimit"
)

// BenchmarkMemoryAllowN charges one call per iteration: to one hot key, and
// spread over 10,000 clients from parallel goroutines.
func BenchmarkMemoryAllowN(b *testing.B) {
	ctx := context.Background()
	lim := ratelimit.Limit{Rate: 1 << 30, Burst: 1 << 30}
	b.Run("one_key", func(b *testing.B) {
		m := ratelimit.NewMemory(time.Now)
		key := ratelimit.Key("public", "ip:192.0.2.1")
		b.ReportAllocs()
		for b.Loop() {
			if _, err := m.AllowN(ctx, key, lim, 1); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel_10k_keys", func(b *testing.B) {
		m := ratelimit.NewMemory(time.Now)
		keys := make([]string, 10_000)
		for i := range keys {
			keys[i] = ratelimit.Key("public", "ip:10.0."+strconv.Itoa(i))
		}
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, err := m.AllowN(ctx, keys[i%len(keys)], lim, 1); err != nil {
					b.Fatal(err)
				}
				i += 7
			}
		})
	})
}

func BenchmarkKey(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = ratelimit.Key("public", "key:0123456789abcdef0123456789abcdef")
	}
}
