package breaker

import (
	"context"
	"sync"
	"time"
)

var _ Store = (*Memory)(nil)

// Memory is a Store in one process's memory: one mutex over a map, which is
// all the atomicity a single process needs. States of closed breakers with
// no failures are deleted, so the map holds only breakers with a story.
type Memory struct {
	cfg    Config
	jitter func(time.Duration) time.Duration

	mu     sync.Mutex
	states map[Key]State
}

// NewMemory returns an empty store that applies cfg. jitter is passed to
// Config.Record when a breaker opens; nil means no jitter, and production
// passes RandomJitter.
func NewMemory(cfg Config, jitter func(max time.Duration) time.Duration) *Memory {
	return &Memory{cfg: cfg, jitter: jitter, states: make(map[Key]State)}
}

// Load returns the states of keys in order.
func (m *Memory) Load(ctx context.Context, keys []Key) ([]State, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([]State, len(keys))
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, k := range keys {
		out[i] = m.states[k]
	}
	return out, nil
}

// Admit decides admission for key and keeps the lease it may grant.
func (m *Memory) Admit(ctx context.Context, key Key, now time.Time) (Decision, State, error) {
	if err := ctx.Err(); err != nil {
		return Reject, State{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	d, s := m.cfg.Admit(m.states[key], now)
	if d == AllowTrial {
		m.states[key] = s
	}
	return d, s, nil
}

// Record folds o into the state of key.
func (m *Memory) Record(ctx context.Context, key Key, o Outcome, now time.Time) (State, error) {
	if err := ctx.Err(); err != nil {
		return State{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.cfg.Record(m.states[key], o, now, m.jitter)
	if s.Phase == Closed && s.Failures == 0 {
		delete(m.states, key)
	} else {
		m.states[key] = s
	}
	return s, nil
}
