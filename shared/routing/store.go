package routing

import (
	"context"
	"time"

	"github.com/lasso-serverless/lasso/shared/breaker"
)

// Channel names one channel's state in storage: its breaker (per physical
// upstream and transport) and its evidence (per profile and chain too).
type Channel struct {
	Breaker  breaker.Key
	Evidence ChannelKey
}

// ChannelState is what a plan reads of a channel.
type ChannelState struct {
	Breaker      breaker.State
	Evidence     Evidence
	LimitedUntil time.Time // rate-limited until; zero when not
}

// Observation is what one attempt adds to a channel besides its breaker.
type Observation struct {
	Evidence     bool // false for neutral outcomes: nothing to learn
	Success      bool
	Latency      time.Duration
	LimitedUntil time.Time // set when the provider asked us to back off
	Now          time.Time
}

// Store keeps channel state. Load reads every candidate's state in one
// round trip and Observe writes one attempt's in one; breaker transitions go
// through the breaker.Store, whose state Load also returns.
type Store interface {
	Load(ctx context.Context, chans []Channel) ([]ChannelState, error)
	Observe(ctx context.Context, ch Channel, o Observation) error
}

// memoryStore is the embedded default: state in this process.
type memoryStore struct {
	breakers breaker.Store
	evidence *memoryEvidence
	limits   *rateLimits
}

// NewMemoryStore keeps evidence and rate limits in the process, and reads
// breaker state from breakers.
func NewMemoryStore(breakers breaker.Store) Store {
	return &memoryStore{breakers: breakers, evidence: newMemoryEvidence(), limits: newRateLimits()}
}

func (m *memoryStore) Load(ctx context.Context, chans []Channel) ([]ChannelState, error) {
	keys := make([]breaker.Key, len(chans))
	for i, ch := range chans {
		keys[i] = ch.Breaker
	}
	bs, err := m.breakers.Load(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make([]ChannelState, len(chans))
	for i, ch := range chans {
		out[i] = ChannelState{Breaker: bs[i], Evidence: m.evidence.get(ch.Evidence), LimitedUntil: m.limits.get(ch.Breaker)}
	}
	return out, nil
}

func (m *memoryStore) Observe(_ context.Context, ch Channel, o Observation) error {
	if o.Evidence {
		m.evidence.observe(ch.Evidence, o.Success, o.Latency, o.Now)
	}
	if !o.LimitedUntil.IsZero() {
		m.limits.mark(ch.Breaker, o.LimitedUntil)
	}
	return nil
}
