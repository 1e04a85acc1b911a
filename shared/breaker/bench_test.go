package breaker

import (
	"context"
	"testing"
	"time"
)

// The pure functions run once or twice per candidate per request; they must
// not allocate.

func BenchmarkAdmitClosed(b *testing.B) {
	cfg := DefaultConfig()
	s := State{Failures: 2}
	b.ReportAllocs()
	for b.Loop() {
		_, s = cfg.Admit(s, t0)
	}
}

func BenchmarkAdmitHalfOpen(b *testing.B) {
	cfg := DefaultConfig()
	s := State{Phase: Open, OpenUntil: t0}
	b.ReportAllocs()
	for b.Loop() {
		cfg.Admit(s, t0)
	}
}

func BenchmarkRecordSuccess(b *testing.B) {
	cfg := DefaultConfig()
	b.ReportAllocs()
	for b.Loop() {
		cfg.Record(State{Failures: 3}, success, t0, RandomJitter)
	}
}

func BenchmarkRecordFailureOpens(b *testing.B) {
	cfg := DefaultConfig()
	o := fail("network_error")
	b.ReportAllocs()
	for b.Loop() {
		cfg.Record(State{Failures: 2}, o, t0, RandomJitter)
	}
}

func BenchmarkRecordTrialReopens(b *testing.B) {
	cfg := DefaultConfig()
	s := State{Phase: HalfOpen, Reopens: 2, TrialUntil: t0.Add(time.Second), OpenedBy: "server_error"}
	o := fail("server_error")
	b.ReportAllocs()
	for b.Loop() {
		cfg.Record(s, o, t0, RandomJitter)
	}
}

func BenchmarkMemoryAdmit(b *testing.B) {
	m := NewMemory(DefaultConfig(), RandomJitter)
	ctx := context.Background()
	m.Record(ctx, providerA, fail("server_error"), t0)
	b.ReportAllocs()
	for b.Loop() {
		m.Admit(ctx, providerA, t0)
	}
}

func BenchmarkMemoryRecord(b *testing.B) {
	m := NewMemory(DefaultConfig(), RandomJitter)
	ctx := context.Background()
	o := fail("server_error")
	b.ReportAllocs()
	for b.Loop() {
		m.Record(ctx, providerA, o, t0)
		m.Record(ctx, providerA, success, t0)
	}
}

func BenchmarkMemoryLoad3(b *testing.B) {
	m := NewMemory(DefaultConfig(), RandomJitter)
	ctx := context.Background()
	keys := []Key{providerA, providerB, {Instance: "c", Transport: "ws"}}
	m.Record(ctx, providerA, fail("server_error"), t0)
	b.ReportAllocs()
	for b.Loop() {
		m.Load(ctx, keys)
	}
}

// TestPureFunctionsDoNotAllocate pins the benchmarks' 0 allocs/op as a test,
// so a regression fails go test rather than waiting for someone to bench.
func TestPureFunctionsDoNotAllocate(t *testing.T) {
	cfg := DefaultConfig()
	half := State{Phase: HalfOpen, Reopens: 2, OpenedBy: "server_error"}
	for name, f := range map[string]func(){
		"Admit closed":    func() { cfg.Admit(State{}, t0) },
		"Admit due":       func() { cfg.Admit(State{Phase: Open, OpenUntil: t0}, t0) },
		"Record opens":    func() { cfg.Record(State{Failures: 4}, fail("server_error"), t0, RandomJitter) },
		"Record reopens":  func() { cfg.Record(half, fail("server_error"), t0, RandomJitter) },
		"Record success":  func() { cfg.Record(half, success, t0, nil) },
		"Due and RetryIn": func() { cfg.Due(half, t0); cfg.RetryIn(half, t0); cfg.PhaseAt(half, t0) },
		"Restore":         func() { cfg.Restore(half, t0) },
	} {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s: %v allocs per run, want 0", name, n)
		}
	}
}
