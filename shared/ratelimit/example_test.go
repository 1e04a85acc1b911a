package ratelimit_test

import (
	"context"
	"fmt"
	"time"

	"github.com/lasso-serverless/lasso/shared/ratelimit"
	"github.com/lasso-serverless/lasso/shared/ratelimit/ratelimittest"
)

func ExampleMemory() {
	clock := ratelimittest.NewFakeClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	m := ratelimit.NewMemory(clock.Now)
	lim := ratelimit.Limit{Rate: 20, Burst: 20}
	key := ratelimit.Key("public", "key:client-api-key")
	ctx := context.Background()

	r, _ := m.AllowN(ctx, key, lim, 20) // the whole burst at once
	fmt.Println(r.Admitted(), r.Remaining)
	r, _ = m.AllowN(ctx, key, lim, 1)
	fmt.Println(r.Admitted(), r.RetryAfter)
	clock.Advance(r.RetryAfter)
	r, _ = m.AllowN(ctx, key, lim, 1)
	fmt.Println(r.Admitted())
	fmt.Println(key)
	// Output:
	// true 0
	// false 50ms
	// true
	// public:6bd25b3fb6acfda65827fde23cd9d6fa
}
