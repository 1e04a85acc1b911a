package ratelimit

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// script is redis_rate v10's allowN Lua, transcribed line for line in float
// seconds. gcra must agree with it.
func script(tat, now float64, burst, rate, cost int) (newTAT float64, allowed, remaining int, retryAfter, resetAfter float64) {
	emission := 1.0 / float64(rate)
	increment := emission * float64(cost)
	burstOffset := emission * float64(burst)
	tat = math.Max(tat, now)
	newTAT = tat + increment
	allowAt := newTAT - burstOffset
	diff := now - allowAt
	rem := diff / emission
	if rem < 0 {
		return tat, 0, 0, -diff, tat - now
	}
	return newTAT, cost, int(rem), -1, newTAT - now
}

func TestGCRAMatchesTheScript(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	secs := func(d time.Duration) float64 { return d.Seconds() }
	for i := range 100_000 {
		// Rates that divide a second exactly, so only float noise differs.
		rate := []int{1, 2, 4, 5, 10, 20, 25, 50, 100, 1000}[rng.IntN(10)]
		lim := Limit{Rate: rate, Burst: 1 + rng.IntN(50)}
		n := rng.IntN(lim.Burst + 3)
		now := time.Duration(rng.Int64N(int64(time.Hour)))
		tat := now + time.Duration(rng.Int64N(int64(2*time.Second))) - time.Second
		gotTAT, got := gcra(tat, now, lim, n)
		wTAT, wAllowed, wRem, wRetry, wReset := script(secs(tat), secs(now), lim.Burst, rate, n)
		if got.Admitted() != (wAllowed > 0 || n == 0) && math.Abs(secs(max(tat-now, 0)+time.Duration(n)*time.Second/time.Duration(rate))-float64(lim.Burst)/float64(rate)) < 1e-9 {
			continue // a charge landing exactly on the boundary: the script's float noise decides it
		}
		close := func(a time.Duration, b float64) bool {
			if b == -1 {
				return a == -1
			}
			return math.Abs(secs(a)-b) < 1e-6
		}
		ctx := fmt.Sprintf("case %d: tat %v now %v %v n %d", i, tat, now, lim, n)
		if got.Allowed != wAllowed || !close(got.RetryAfter, wRetry) || !close(got.ResetAfter, wReset) {
			t.Fatalf("%s: got %+v, script says allowed %d retry %v reset %v", ctx, got, wAllowed, wRetry, wReset)
		}
		// The script's remaining can round a call low where it lands on a
		// whole number; ours is exact.
		if got.Remaining != wRem && got.Remaining != wRem+1 {
			t.Fatalf("%s: Remaining %d, script says %d", ctx, got.Remaining, wRem)
		}
		if got.Admitted() && math.Abs(secs(gotTAT)-wTAT) > 1e-6 {
			t.Fatalf("%s: new TAT %v, script says %v", ctx, gotTAT, wTAT)
		}
	}
}

// TestMemoryCap: past its cap a shard forgets arbitrary keys down to three
// quarters, so a flood of clients cannot grow memory without bound.
func TestMemoryCap(t *testing.T) {
	start := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	m := NewMemory(func() time.Time { return start }) // time stands still: no bucket refills
	m.perShard = 100
	lim := Limit{Rate: 1, Burst: 10}
	for i := range 100_000 {
		if _, err := m.AllowN(context.Background(), fmt.Sprint(i), lim, 1); err != nil {
			t.Fatal(err)
		}
	}
	if n := m.Len(); n > shardCount*100 || n < shardCount*75 {
		t.Fatalf("Len = %d, want between %d and %d", n, shardCount*75, shardCount*100)
	}
}
