package probe

import (
	"context"
	"maps"
	"sync"
)

// Store keeps probe records where every reader finds them: in the process
// (Memory) or in Redis (redisstore.Probes), written by the probe function
// and read by every rpc-http container.
type Store interface {
	// Load returns the views of chains, in one round trip; a chain never
	// probed is missing from the map. Views are read-only snapshots: later
	// Saves do not change them, and callers must not either.
	Load(ctx context.Context, chains []int64) (map[int64]*View, error)
	// Save writes one provider instance's record and the chain's estimate
	// after a round, in one round trip.
	Save(ctx context.Context, chain int64, instance string, s Status, c Chain) error
}

// Memory is the in-process Store. A Save replaces its chain's view with a
// new one (copy on write), so Load hands out the current views themselves:
// the local router reads them on every call without copying.
type Memory struct {
	mu     sync.RWMutex
	chains map[int64]*View
}

// NewMemory returns an empty Memory.
func NewMemory() *Memory { return &Memory{chains: map[int64]*View{}} }

// Load returns the chains' current views.
func (m *Memory) Load(_ context.Context, chains []int64) (map[int64]*View, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make(map[int64]*View, len(chains))
	for _, id := range chains {
		if v, ok := m.chains[id]; ok {
			out[id] = v
		}
	}
	return out, nil
}

// View returns one chain's current view without a map around it: the
// local router's per-call read (see Snapshot).
func (m *Memory) View(chain int64) *View {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.chains[chain]
}

// Save stores the record in a new view of the chain.
func (m *Memory) Save(_ context.Context, chain int64, instance string, s Status, c Chain) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	next := &View{Chain: c, Providers: map[string]Status{instance: s}}
	if v, ok := m.chains[chain]; ok {
		next.Providers = maps.Clone(v.Providers)
		next.Providers[instance] = s
	}
	m.chains[chain] = next
	return nil
}
