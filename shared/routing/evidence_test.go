package routing_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/routing"
)

// observe folds outcomes into e at now: 'S' a success of latency lat, 'F' a
// failure.
func observe(e routing.Evidence, pattern string, lat time.Duration, now time.Time) routing.Evidence {
	for _, r := range pattern {
		e = e.Observe(r == 'S', lat, now)
	}
	return e
}

func TestEvidenceZeroValue(t *testing.T) {
	var e routing.Evidence
	if !e.Stale(t0) || e.Qualified(t0) || e.Measured(t0) {
		t.Errorf("zero Evidence: stale %v qualified %v measured %v; want stale, unqualified, unmeasured",
			e.Stale(t0), e.Qualified(t0), e.Measured(t0))
	}
}

// Latency is an EWMA with alpha 1/8 over successes only; the first sample
// sets it.
func TestEvidenceLatencyEWMA(t *testing.T) {
	var e routing.Evidence
	e = e.Observe(true, 80*time.Millisecond, t0)
	if e.Latency != 80*time.Millisecond {
		t.Fatalf("after the first sample Latency = %v, want 80ms (the sample)", e.Latency)
	}
	e = e.Observe(true, 160*time.Millisecond, t0)
	if e.Latency != 90*time.Millisecond { // 80 + (160-80)/8
		t.Errorf("Latency = %v, want 90ms", e.Latency)
	}
	e = e.Observe(true, 10*time.Millisecond, t0)
	if e.Latency != 80*time.Millisecond { // 90 + (10-90)/8
		t.Errorf("Latency = %v, want 80ms", e.Latency)
	}
	e = e.Observe(false, 5*time.Second, t0)
	if e.Latency != 80*time.Millisecond {
		t.Errorf("a failure moved Latency to %v, want 80ms unchanged", e.Latency)
	}
	if e.Successes != 3 || e.ConsecutiveFailures != 1 {
		t.Errorf("Successes/ConsecutiveFailures = %d/%d, want 3/1", e.Successes, e.ConsecutiveFailures)
	}

	// Failures first: the first success still sets the mean.
	var f routing.Evidence
	f = f.Observe(false, time.Second, t0)
	f = f.Observe(true, 50*time.Millisecond, t0)
	if f.Latency != 50*time.Millisecond || f.ConsecutiveFailures != 0 {
		t.Errorf("failure then success: Latency %v, consecutive failures %d; want 50ms, 0", f.Latency, f.ConsecutiveFailures)
	}
}

// Reliability is an EWMA with alpha 1/8 of outcomes (1 success, 0 failure),
// starting from 1.
func TestEvidenceReliabilityEWMA(t *testing.T) {
	tests := []struct {
		pattern string
		want    float64
	}{
		{"S", 1},
		{"SSS", 1},
		{"F", 0.875},
		{"SSSF", 0.875},
		{"SSSFF", 0.875 * 0.875},
		{"SSSFFS", 0.875*0.875 + (1-0.875*0.875)/8},
		{"FFFFFFFF", math.Pow(0.875, 8)},
	}
	for _, tt := range tests {
		e := observe(routing.Evidence{}, tt.pattern, 10*time.Millisecond, t0)
		if math.Abs(e.Reliability-tt.want) > 1e-12 {
			t.Errorf("%s: Reliability = %v, want %v", tt.pattern, e.Reliability, tt.want)
		}
	}
}

// Qualified: seen within 300 s, at least 3 successes, fewer than 3
// consecutive failures, reliability at least 0.75.
func TestEvidenceQualified(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		want    bool
	}{
		{"no evidence", "", false},
		{"one success", "S", false},
		{"two successes", "SS", false},
		{"three successes", "SSS", true},
		{"failures before three successes", "FSSS", true},
		{"two consecutive failures", "SSSFF", true}, // reliability 0.766
		{"three consecutive failures", "SSSSSSSSFFF", false},
		// A success breaks the run: two and two are not four in a row (19
		// successes between bring reliability back above 0.75/0.875^2).
		{"failures broken by successes", "SSSFF" + strings.Repeat("S", 19) + "FF", true},
		// Fewer than 3 in a row, but reliability 0.609 < 0.75.
		{"unreliable", "SSSFFSFF", false},
	}
	for _, tt := range tests {
		e := observe(routing.Evidence{}, tt.pattern, 10*time.Millisecond, t0)
		if got := e.Qualified(t0); got != tt.want {
			t.Errorf("%s (%s): Qualified = %v (successes %d, consecutive failures %d, reliability %.3f), want %v",
				tt.name, tt.pattern, got, e.Successes, e.ConsecutiveFailures, e.Reliability, tt.want)
		}
	}
}

// Evidence older than 300 s is stale: neither qualified nor measured. A new
// observation makes it fresh again.
func TestEvidenceStale(t *testing.T) {
	e := observe(routing.Evidence{}, "SSS", 20*time.Millisecond, t0)
	for _, tt := range []struct {
		after           time.Duration
		stale, qualOrMe bool
	}{
		{0, false, true},
		{299 * time.Second, false, true},
		{300 * time.Second, false, true},
		{300*time.Second + time.Nanosecond, true, false},
		{time.Hour, true, false},
	} {
		now := t0.Add(tt.after)
		if e.Stale(now) != tt.stale || e.Qualified(now) != tt.qualOrMe || e.Measured(now) != tt.qualOrMe {
			t.Errorf("after %v: stale %v qualified %v measured %v; want stale %v, qualified and measured %v",
				tt.after, e.Stale(now), e.Qualified(now), e.Measured(now), tt.stale, tt.qualOrMe)
		}
	}
	later := t0.Add(time.Hour)
	e = e.Observe(true, 20*time.Millisecond, later)
	if e.Stale(later) || !e.Measured(later) {
		t.Errorf("after a fresh observation: stale %v measured %v; want fresh and measured", e.Stale(later), e.Measured(later))
	}
}

// Only failures: no latency, so not measured.
func TestEvidenceMeasuredNeedsASuccess(t *testing.T) {
	e := observe(routing.Evidence{}, "FF", time.Second, t0)
	if e.Measured(t0) || e.Latency != 0 {
		t.Errorf("failures only: Measured %v, Latency %v; want unmeasured, 0", e.Measured(t0), e.Latency)
	}
	if e.Stale(t0) {
		t.Error("failures only: Stale = true, want false (the channel was seen)")
	}
}
