package routing

import (
	"sync"
	"time"
)

// Evidence is what client traffic has shown of one channel (profile, chain,
// provider, transport): the basis of fastest and latency_weighted.
type Evidence struct {
	Latency             time.Duration // EWMA of successful attempts' upstream I/O time
	Reliability         float64       // EWMA of outcomes: success 1, failure or quota 0
	Successes           int
	ConsecutiveFailures int
	LastSeen            time.Time
}

// Evidence model constants (reference 3.3).
const (
	evidenceAlpha   = 1.0 / 8
	staleAfter      = 300 * time.Second
	minSuccesses    = 3
	maxConsecutive  = 3
	minReliability  = 0.75
	reliabilityInit = 1.0
)

// Qualified reports whether a channel's latency may rank it: recent, at
// least three successes, fewer than three failures in a row, reliable.
func (e Evidence) Qualified(now time.Time) bool {
	return !e.Stale(now) && e.Successes >= minSuccesses &&
		e.ConsecutiveFailures < maxConsecutive && e.Reliability >= minReliability
}

// Stale reports whether the evidence is too old (or absent) to use.
func (e Evidence) Stale(now time.Time) bool {
	return e.LastSeen.IsZero() || now.Sub(e.LastSeen) > staleAfter
}

// Measured reports whether the channel has a usable latency.
func (e Evidence) Measured(now time.Time) bool { return e.Latency > 0 && !e.Stale(now) }

// Observe folds one outcome in. Neutral outcomes (deterministic answers,
// capability misses) are not observed at all: they say nothing of speed or
// health.
func (e Evidence) Observe(success bool, latency time.Duration, now time.Time) Evidence {
	sample := 0.0
	if success {
		sample = 1
		e.Successes++
		e.ConsecutiveFailures = 0
		if e.Latency == 0 {
			e.Latency = latency // the first sample sets the mean
		} else {
			e.Latency += time.Duration(evidenceAlpha * float64(latency-e.Latency))
		}
	} else {
		e.ConsecutiveFailures++
	}
	if e.LastSeen.IsZero() {
		e.Reliability = reliabilityInit
	}
	e.Reliability += evidenceAlpha * (sample - e.Reliability)
	e.LastSeen = now
	return e
}

// ChannelKey names a channel's evidence.
type ChannelKey struct {
	Profile, Chain, Provider, Transport string
}

// memoryEvidence keeps evidence in the process: the embedded default, and
// each Lambda container's own view until a shared store replaces it.
type memoryEvidence struct {
	mu sync.RWMutex
	m  map[ChannelKey]Evidence
}

func newMemoryEvidence() *memoryEvidence {
	return &memoryEvidence{m: map[ChannelKey]Evidence{}}
}

func (s *memoryEvidence) get(k ChannelKey) Evidence {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.m[k]
}

func (s *memoryEvidence) observe(k ChannelKey, success bool, latency time.Duration, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[k] = s.m[k].Observe(success, latency, now)
}
