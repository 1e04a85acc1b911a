package routing

import (
	"context"
	"sync"
	"time"

	"github.com/lasso-serverless/lasso/shared/breaker"
)

// state is the Router's view of channel state: the store it was given
// (shared across containers, e.g. Redis), a per-container snapshot of it no
// older than the snapshot TTL, and a container-local fallback used while the
// shared store fails. Storage trouble never reaches a client: it costs
// accuracy, not answers.
type state struct {
	shared, local                 Store
	sharedBreakers, localBreakers breaker.Store
	ttl                           time.Duration // 0: no snapshot (in-process stores)
	retry                         time.Duration // how long the shared store rests after a failure
	now                           func() time.Time
	onDown                        func(err error) // told when the shared store starts failing

	mu        sync.Mutex
	snap      map[Channel]snapped
	downUntil time.Time
}

type snapped struct {
	st ChannelState
	at time.Time
}

// stores returns the stores to use now: shared, unless it failed within the
// retry interval.
func (s *state) stores() (Store, breaker.Store, bool) {
	s.mu.Lock()
	down := s.now().Before(s.downUntil)
	s.mu.Unlock()
	if down {
		return s.local, s.localBreakers, false
	}
	return s.shared, s.sharedBreakers, true
}

// fail rests the shared store after an error. It reports true on the first
// failure of a spell, so the caller logs once, not per request.
func (s *state) fail(err error) {
	s.mu.Lock()
	first := !s.now().Before(s.downUntil)
	s.downUntil = s.now().Add(s.retry)
	s.mu.Unlock()
	if first && s.onDown != nil {
		s.onDown(err)
	}
}

// load returns every channel's state: fresh snapshot entries as they are,
// the rest in one read of the store.
func (s *state) load(ctx context.Context, chans []Channel) []ChannelState {
	out := make([]ChannelState, len(chans))
	var missing []int
	now := s.now()
	s.mu.Lock()
	for i, ch := range chans {
		if e, ok := s.snap[ch]; ok && s.ttl > 0 && now.Sub(e.at) < s.ttl {
			out[i] = e.st
		} else {
			missing = append(missing, i)
		}
	}
	s.mu.Unlock()
	if len(missing) == 0 {
		return out
	}
	want := make([]Channel, len(missing))
	for j, i := range missing {
		want[j] = chans[i]
	}
	store, _, shared := s.stores()
	got, err := store.Load(ctx, want)
	if err != nil && shared {
		s.fail(err)
		got, err = s.local.Load(ctx, want)
	}
	if err != nil {
		return out // nothing readable: every channel reads closed and unmeasured
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for j, i := range missing {
		out[i] = got[j]
		if s.ttl > 0 && shared {
			s.snap[chans[i]] = snapped{st: got[j], at: now}
		}
	}
	return out
}

// cached returns a channel's snapshot entry, if any.
func (s *state) cached(ch Channel) (ChannelState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.snap[ch]
	return e.st, ok
}

// update changes a snapshot entry in place, so the container sees its own
// writes at once instead of after the next refresh.
func (s *state) update(ch Channel, f func(*ChannelState)) {
	if s.ttl == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.snap[ch]; ok {
		f(&e.st)
		s.snap[ch] = e
	}
}

// admit takes a breaker admission, falling back to local state.
func (s *state) admit(ctx context.Context, ch Channel, now time.Time) breaker.Decision {
	_, b, shared := s.stores()
	d, st, err := b.Admit(ctx, ch.Breaker, now)
	if err != nil && shared {
		s.fail(err)
		d, st, err = s.localBreakers.Admit(ctx, ch.Breaker, now)
	}
	if err != nil {
		return breaker.Allow // a router that cannot read its breakers still routes
	}
	s.update(ch, func(c *ChannelState) { c.Breaker = st })
	return d
}

// record writes an attempt's breaker outcome and observation.
func (s *state) record(ctx context.Context, ch Channel, bo breaker.Outcome, obs Observation, skipBreaker bool) {
	store, b, shared := s.stores()
	var err error
	if !skipBreaker {
		var st breaker.State
		if st, err = b.Record(ctx, ch.Breaker, bo, obs.Now); err == nil {
			s.update(ch, func(c *ChannelState) { c.Breaker = st })
		}
	}
	if err == nil {
		err = store.Observe(ctx, ch, obs)
	}
	if err != nil && shared {
		s.fail(err)
		if !skipBreaker {
			_, _ = s.localBreakers.Record(ctx, ch.Breaker, bo, obs.Now)
		}
		_ = s.local.Observe(ctx, ch, obs)
	}
	s.update(ch, func(c *ChannelState) {
		if obs.Evidence {
			c.Evidence = c.Evidence.Observe(obs.Success, obs.Latency, obs.Now)
		}
		if obs.LimitedUntil.After(c.LimitedUntil) {
			c.LimitedUntil = obs.LimitedUntil
		}
	})
}
