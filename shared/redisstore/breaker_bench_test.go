package redisstore

import (
	"context"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/breaker"
	"github.com/lasso-serverless/lasso/shared/redisstore/redistest"
)

// The benchmarks run on a loopback redis-server: what they measure is the
// client side and one round trip, not a network.

func breakerBenchStore(b *testing.B) *Breakers {
	b.Helper()
	s := redistest.Start(b)
	return NewBreakers(breakerClient(b, "redis://"+s.Addr, false), breaker.DefaultConfig(), breaker.RandomJitter)
}

// Load8 is a request's read: 8 candidates, some with a story.
func BenchmarkBreakersLoad8(b *testing.B) {
	st := breakerBenchStore(b)
	ctx := context.Background()
	keys := breakerKeys(8)
	for i, k := range keys[:3] {
		for range i + 3 {
			if _, err := st.Record(ctx, k, breaker.Outcome{Category: "server_error"}, breakerT0); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := st.Load(ctx, keys); err != nil {
			b.Fatal(err)
		}
	}
}

// AdmitBusy is the Admit of a half-open breaker whose trial is in flight:
// a compare-only run of the script.
func BenchmarkBreakersAdmitBusy(b *testing.B) {
	st := breakerBenchStore(b)
	ctx := context.Background()
	k := breakerKeys(1)[0]
	var s breaker.State
	for range 5 {
		s, _ = st.Record(ctx, k, breaker.Outcome{Category: "server_error"}, breakerT0)
	}
	if d, _, err := st.Admit(ctx, k, s.OpenUntil); err != nil || d != breaker.AllowTrial {
		b.Fatal(d, err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if d, _, err := st.Admit(ctx, k, s.OpenUntil); err != nil || d != breaker.Busy {
			b.Fatal(d, err)
		}
	}
}

// AdmitTrial takes a trial every time (each one a lease past the last): a
// write.
func BenchmarkBreakersAdmitTrial(b *testing.B) {
	st := breakerBenchStore(b)
	ctx := context.Background()
	k := breakerKeys(1)[0]
	var s breaker.State
	for range 5 {
		s, _ = st.Record(ctx, k, breaker.Outcome{Category: "server_error"}, breakerT0)
	}
	now := s.OpenUntil
	b.ReportAllocs()
	for b.Loop() {
		if d, _, err := st.Admit(ctx, k, now); err != nil || d != breaker.AllowTrial {
			b.Fatal(d, err)
		}
		now = now.Add(breaker.DefaultConfig().TrialLease)
	}
}

// Record is the common case: a success on a healthy breaker, right after a
// Load (a compare-only run of the script).
func BenchmarkBreakersRecord(b *testing.B) {
	st := breakerBenchStore(b)
	ctx := context.Background()
	keys := breakerKeys(1)
	if _, err := st.Load(ctx, keys); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := st.Record(ctx, keys[0], breaker.Outcome{Success: true}, breakerT0); err != nil {
			b.Fatal(err)
		}
	}
}

// RecordChange alternates a failure and the success that resets it: every
// Record writes (a set, then a delete).
func BenchmarkBreakersRecordChange(b *testing.B) {
	st := breakerBenchStore(b)
	ctx := context.Background()
	k := breakerKeys(1)[0]
	outcomes := []breaker.Outcome{{Category: "server_error"}, {Success: true}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := st.Record(ctx, k, outcomes[i%2], breakerT0.Add(time.Duration(i))); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
