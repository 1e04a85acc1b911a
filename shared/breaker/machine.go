package breaker

import "time"

// Admit decides whether an attempt may go to the upstream whose breaker is in
// state s at time now, and returns the state the decision leaves behind. Only
// an AllowTrial changes the state (it takes the trial lease, and turns a due
// open breaker half-open); a store must write the returned state atomically
// with the read it came from. Admit on a closed breaker changes nothing,
// which is why a caller may run it on a snapshot without a store round trip.
func (c Config) Admit(s State, now time.Time) (Decision, State) {
	switch s.Phase {
	case Closed:
		return Allow, s
	case Open:
		if now.Before(s.OpenUntil) {
			return Reject, s
		}
		// A request arriving after the deadline does what the proactive
		// timer would have done.
		s.Phase = HalfOpen
		s.Successes = 0
	case HalfOpen:
		if now.Before(s.TrialUntil) {
			return Busy, s
		}
	default:
		// A phase this version does not know came from storage: trust it no
		// more than a half-open breaker.
		s.Phase = HalfOpen
		if now.Before(s.TrialUntil) {
			return Busy, s
		}
	}
	s.TrialUntil = now.Add(c.TrialLease)
	return AllowTrial, s
}

// Record folds one attempt's outcome into the state. jitter, given the
// largest jitter allowed (a twentieth of the delay), returns how much to add
// to an open deadline so that breakers opened together do not all probe at
// once; nil means none, and results outside [0, max] are clamped.
//
// Outcomes whose category Config.Counted does not list are neutral: they
// leave a closed or open breaker alone and only release a half-open lease.
func (c Config) Record(s State, o Outcome, now time.Time, jitter func(max time.Duration) time.Duration) State {
	counted := !o.Success && c.Counted[o.Category]
	switch s.Phase {
	case Closed:
		if o.Success {
			s.Failures = 0
			return s
		}
		if !counted {
			return s
		}
		s.Failures++
		if s.Failures >= c.threshold(o.Category) {
			return c.open(s, o.Category, c.openDelay(o), now, jitter)
		}
		return s
	case HalfOpen:
		// Any outcome ends the trial it belongs to. The lease is a count of
		// one, not an owner: an attempt admitted before the breaker opened
		// may release it early, and its outcome is real evidence too.
		s.TrialUntil = time.Time{}
		if o.Success {
			s.Failures = 0
			s.Successes++
			if s.Successes >= c.successesToClose(s.OpenedBy) {
				return State{}
			}
			return s
		}
		if !counted {
			return s
		}
		s.Failures++
		s.Reopens++
		return c.open(s, o.Category, c.reopenDelay(s.Reopens, o), now, jitter)
	}
	// Open: failures do not extend the deadline, and a late success from an
	// attempt admitted before the breaker opened does not cut it short;
	// recovery goes through trials.
	return s
}

// openDelay is how long a closed breaker opened by o stays open.
func (c Config) openDelay(o Outcome) time.Duration {
	switch {
	case o.Category == rateLimit && o.RetryAfter > 0:
		return o.RetryAfter
	case o.Category == authError:
		return c.AuthRecovery
	}
	return c.Recovery
}

// reopenDelay is the backoff after the reopens-th consecutive failed trial:
// 120 s, 240 s, 480 s, then the cap, with Lasso's defaults.
func (c Config) reopenDelay(reopens int, o Outcome) time.Duration {
	if o.Category == rateLimit && o.RetryAfter > 0 {
		return o.RetryAfter
	}
	return c.Recovery << min(reopens, maxDoublings)
}

func (c Config) open(s State, category string, delay time.Duration, now time.Time, jitter func(time.Duration) time.Duration) State {
	if c.MaxRecovery > 0 && delay > c.MaxRecovery {
		delay = c.MaxRecovery
	}
	var j time.Duration
	if jitter != nil {
		limit := delay / 20
		j = min(max(jitter(limit), 0), limit)
	}
	s.Phase = Open
	s.OpenUntil = now.Add(delay + j)
	s.OpenedBy = category
	s.Successes = 0
	s.TrialUntil = time.Time{}
	return s
}

// Due reports whether an open breaker has reached its deadline: the test a
// caller's proactive recovery timer runs, so that an upstream is tried again
// even when no client traffic would pick it.
func (c Config) Due(s State, now time.Time) bool {
	return s.Phase == Open && !now.Before(s.OpenUntil)
}

// RetryIn is how long until an open breaker is due, and zero for any breaker
// that is not open or already due. The shortest RetryIn over a request's
// candidates is the "All circuits open, retry after Ns" of an exhausted
// request.
func (c Config) RetryIn(s State, now time.Time) time.Duration {
	if s.Phase != Open || !now.Before(s.OpenUntil) {
		return 0
	}
	return s.OpenUntil.Sub(now)
}

// PhaseAt is the phase s behaves as at now, without taking a lease: an open
// breaker past its deadline admits a trial, so it ranks as half-open. It is
// what health tiering reads (closed first, then half-open; open excluded).
func (c Config) PhaseAt(s State, now time.Time) Phase {
	switch s.Phase {
	case Closed:
		return Closed
	case Open:
		if now.Before(s.OpenUntil) {
			return Open
		}
	}
	return HalfOpen
}

// Restore applies Lasso's restart rule to a state read back from storage
// written by another process, another clock or an older config: an unexpired
// open deadline is kept, but never beyond the longest one this Config could
// have set, so clock skew cannot bench an upstream indefinitely; an expired
// one, or a phase this version does not know, becomes half-open (probe before
// trusting); a trial lease is likewise held no longer than TrialLease.
func (c Config) Restore(s State, now time.Time) State {
	switch s.Phase {
	case Closed:
		return s
	case Open:
		if !now.Before(s.OpenUntil) {
			s.Phase = HalfOpen
			s.Successes = 0
			s.TrialUntil = time.Time{}
			return s
		}
		if c.MaxRecovery > 0 {
			if limit := now.Add(c.MaxRecovery + c.MaxRecovery/20); s.OpenUntil.After(limit) {
				s.OpenUntil = limit
			}
		}
		return s
	case HalfOpen:
	default:
		s.Phase = HalfOpen
	}
	if limit := now.Add(c.TrialLease); s.TrialUntil.After(limit) {
		s.TrialUntil = limit
	}
	return s
}
