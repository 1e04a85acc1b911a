package probe

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Snapshot serves views to request paths from a copy at most TTL old, so
// that a request costs no store round trip while its chain's copy is fresh
// (on Lambda, one Redis read per chain per second per container). A failed
// load keeps serving the last copy, logged once per failure run; a chain
// never loaded reads as nil (heads unknown), which routing treats as "no
// lag filtering, assume archival".
type Snapshot struct {
	store Store
	ttl   time.Duration
	now   func() time.Time
	log   *slog.Logger

	mu     sync.Mutex
	chains map[int64]snap
	failed bool // the last load failed: already logged
}

// direct is a store read without a round trip (Memory): the snapshot reads
// it on every call, so the local router sees each probe at once.
type direct interface {
	View(chain int64) *View
}

type snap struct {
	view     *View
	loadedAt time.Time
}

// NewSnapshot reads store through copies at most ttl old.
func NewSnapshot(store Store, ttl time.Duration, now func() time.Time, log *slog.Logger) *Snapshot {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Snapshot{store: store, ttl: ttl, now: now, log: log, chains: map[int64]snap{}}
}

// View returns the chain's view (nil when nothing is known), loading it
// when the copy is older than the TTL. Concurrent callers may each load a
// stale chain; the copies are equal and loads are cheap, which is simpler
// than making them wait on one another.
func (s *Snapshot) View(ctx context.Context, chain int64) *View {
	if d, ok := s.store.(direct); ok {
		return d.View(chain)
	}
	now := s.now()
	s.mu.Lock()
	c, ok := s.chains[chain]
	s.mu.Unlock()
	if ok && now.Sub(c.loadedAt) < s.ttl {
		return c.view
	}
	views, err := s.store.Load(ctx, []int64{chain})
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		if !s.failed {
			s.log.Warn("probe records unavailable: serving the last copy", "error", err.Error())
			s.failed = true
		}
		// Retry after a TTL, not on every request.
		s.chains[chain] = snap{view: c.view, loadedAt: now}
		return c.view
	}
	s.failed = false
	s.chains[chain] = snap{view: views[chain], loadedAt: now}
	return views[chain]
}
