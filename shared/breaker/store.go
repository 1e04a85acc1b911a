package breaker

import (
	"context"
	"time"
)

// Key names one breaker: a physical upstream and one of its transports.
// Profiles that share an upstream share its breakers; HTTP and WebSocket
// fail separately and so have one each.
type Key struct {
	Instance  string
	Transport string
}

// Store keeps breaker states where every process handling traffic sees them.
// Implementations apply this package's Config to their own reads and writes,
// and take time only from the now they are given, never from their own clock
// (the Redis one passes it into its script), so that states are comparable
// across processes and tests can drive time. breakertest.Contract is the
// suite every implementation must pass.
type Store interface {
	// Load returns the states of keys, in order, in one round trip; a key
	// never stored reads as the zero (closed) State. It takes no lease and
	// changes nothing.
	Load(ctx context.Context, keys []Key) ([]State, error)
	// Admit runs Config.Admit on the current state of key and stores the
	// result atomically, so that of many callers admitting a half-open
	// breaker at once exactly one gets AllowTrial.
	Admit(ctx context.Context, key Key, now time.Time) (Decision, State, error)
	// Record folds one attempt's outcome into the state of key atomically
	// and returns the new state.
	Record(ctx context.Context, key Key, o Outcome, now time.Time) (State, error)
}
