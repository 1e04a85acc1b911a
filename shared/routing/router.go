package routing

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/lasso-serverless/lasso/shared/breaker"
	"github.com/lasso-serverless/lasso/shared/probe"
	"github.com/lasso-serverless/lasso/shared/proxy"
)

// Options tunes a Router. Zero values mean the documented defaults.
type Options struct {
	Seed uint64 // 0 seeds from the clock; tests fix it
	Beta float64
	// Breakers and State store breaker state and the rest of channel state
	// (default: both in memory). A plan reads every candidate in one
	// State.Load; only a half-open trial needs a Breakers.Admit.
	Breakers breaker.Store
	State    Store
	// Snapshot is how long a container trusts what it read from a shared
	// State (the design's 1 s); 0 reads every time (in-process stores).
	Snapshot time.Duration
	// SharedRetry is how long a failing shared store is left alone before it
	// is tried again (default 1 s); meanwhile state is container-local.
	SharedRetry time.Duration
	Breaker     breaker.Config
	// Heads returns a chain's probe records (nil when nothing is known,
	// which is also what a nil Heads means): the consensus height for
	// archive needs and block ages, providers' heights for the lag filter
	// and the min-block order, probe health for misconfigured providers.
	// A plan calls it once, so it should be cheap (probe.Snapshot.View).
	Heads func(ctx context.Context, chainID int64) *probe.View
	Now   func() time.Time
	Log   *slog.Logger
}

// Router decides where calls go and remembers how channels behaved: it is
// both the Forwarder's Planner and its Health.
type Router struct {
	opts       Options
	strategies map[string]Strategy
	state      *state

	mu  sync.Mutex // guards rng: one seeded generator keeps a seed repeatable
	rng *rand.Rand

	lagWarned sync.Map // chain key -> time.Time of the last all-lagging warning
}

var (
	_ proxy.Planner = (*Router)(nil)
	_ proxy.Health  = (*Router)(nil)
)

// New returns a Router.
func New(opts Options) *Router {
	if opts.Seed == 0 {
		opts.Seed = uint64(time.Now().UnixNano())
	}
	if opts.Beta == 0 {
		opts.Beta = DefaultBeta
	}
	if opts.Breaker.FailureThreshold == 0 {
		opts.Breaker = breaker.DefaultConfig()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.SharedRetry <= 0 {
		opts.SharedRetry = time.Second
	}
	r := &Router{
		opts:       opts,
		strategies: map[string]Strategy{LatencyWeighted: latencyWeighted{beta: opts.Beta}},
		rng:        rand.New(rand.NewPCG(opts.Seed, opts.Seed>>1|1)),
	}
	for name, s := range strategies {
		r.strategies[name] = s
	}
	localBreakers := breaker.NewMemory(opts.Breaker, r.jitter)
	r.state = &state{
		localBreakers:  localBreakers,
		local:          NewMemoryStore(localBreakers),
		sharedBreakers: opts.Breakers,
		shared:         opts.State,
		ttl:            opts.Snapshot,
		retry:          opts.SharedRetry,
		now:            opts.Now,
		snap:           map[Channel]snapped{},
		onDown: func(err error) {
			opts.Log.Warn("shared routing state unavailable; using container-local state", "error", err.Error(), "shared_state_down", 1)
		},
	}
	switch {
	case opts.Breakers == nil && opts.State == nil: // the embedded default
		r.state.sharedBreakers, r.state.shared = localBreakers, r.state.local
	case opts.State == nil:
		r.state.shared = NewMemoryStore(opts.Breakers)
	case opts.Breakers == nil:
		r.state.sharedBreakers = localBreakers
	}
	return r
}

// jitter draws a uniform duration in [0, max] for breaker recovery times, so
// that containers do not all retry a provider at the same instant.
func (r *Router) jitter(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return time.Duration(r.rng.Int64N(int64(max) + 1))
}

func breakerKey(c proxy.Candidate) breaker.Key {
	return breaker.Key{Instance: c.Provider.InstanceID, Transport: c.Transport}
}

func channelOf(c *proxy.Call, cand proxy.Candidate) Channel {
	return Channel{
		Breaker:  breakerKey(cand),
		Evidence: ChannelKey{Profile: c.Profile.Slug, Chain: c.Chain.Key, Provider: cand.Provider.ID, Transport: cand.Transport},
	}
}
