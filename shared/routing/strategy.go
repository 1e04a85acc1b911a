package routing

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// ranked is a channel being ordered, with what is known of it, judged once
// per plan rather than once per comparison.
type ranked struct {
	provider  string
	transport string
	priority  int
	qualified bool
	latency   time.Duration // mean latency; 0 when unmeasured or stale
	index     int           // position in the candidate list, to map back
}

func newRanked(provider, transport string, priority int, ev Evidence, now time.Time, index int) ranked {
	r := ranked{provider: provider, transport: transport, priority: priority, qualified: ev.Qualified(now), index: index}
	if ev.Measured(now) {
		r.latency = ev.Latency
	}
	return r
}

// Strategy orders channels in place.
type Strategy interface {
	Order(c []ranked, now time.Time, rng *rand.Rand)
}

// Strategy names, as they appear in routing metadata.
const (
	Priority        = "priority"
	LoadBalanced    = "load_balanced"
	Fastest         = "fastest"
	LatencyWeighted = "latency_weighted"
)

// Default is the strategy of routes that name none (Lasso's code, not its
// docs: load_balanced).
const Default = LoadBalanced

// DefaultBeta is latency_weighted's exponent (Lasso's lw_beta).
const DefaultBeta = 3.0

// strategies is the one place a name becomes behaviour. latency_weighted is
// added by NewPlanner with its configured beta.
var strategies = map[string]Strategy{
	Priority:     byPriority{},
	LoadBalanced: shuffle{},
	Fastest:      fastest{},
}

// tokens maps URL and query spellings to strategy names.
var tokens = map[string]string{
	"priority":         Priority,
	"load-balanced":    LoadBalanced,
	"load_balanced":    LoadBalanced,
	"round-robin":      LoadBalanced,
	"round_robin":      LoadBalanced,
	"fastest":          Fastest,
	"latency-weighted": LatencyWeighted,
	"latency_weighted": LatencyWeighted,
}

// ParseToken returns the strategy a URL segment or setting names.
func ParseToken(token string) (string, bool) {
	name, ok := tokens[token]
	return name, ok
}

// IsPathToken reports whether an HTTP path segment selects a strategy. Only
// the hyphenated spellings are routes; priority has no HTTP route in Lasso.
func IsPathToken(segment string) bool {
	return segment != "priority" && !strings.Contains(segment, "_") && tokens[segment] != ""
}

type byPriority struct{}

// Order sorts by priority, HTTP before WS on ties, stable on file order.
func (byPriority) Order(c []ranked, _ time.Time, _ *rand.Rand) {
	slices.SortStableFunc(c, func(a, b ranked) int {
		if n := cmp.Compare(a.priority, b.priority); n != 0 {
			return n
		}
		return cmp.Compare(a.transport, b.transport) // "http" < "ws"
	})
}

type shuffle struct{}

// Order is Lasso's load_balanced: a uniform shuffle (no round-robin counter,
// whatever the alias says).
func (shuffle) Order(c []ranked, _ time.Time, rng *rand.Rand) {
	rng.Shuffle(len(c), func(i, j int) { c[i], c[j] = c[j], c[i] })
}

// fastest puts qualified channels first by their mean latency, then the rest
// by whatever latency they have (unmeasured last), ties by provider id.
type fastest struct{}

func (fastest) Order(c []ranked, now time.Time, _ *rand.Rand) {
	slices.SortStableFunc(c, func(a, b ranked) int {
		if a.qualified != b.qualified {
			if a.qualified {
				return -1
			}
			return 1
		}
		if n := cmp.Compare(meanOrInf(a), meanOrInf(b)); n != 0 {
			return n
		}
		if n := strings.Compare(a.provider, b.provider); n != 0 {
			return n
		}
		return strings.Compare(a.transport, b.transport)
	})
}

func meanOrInf(r ranked) time.Duration {
	if r.latency > 0 {
		return r.latency
	}
	return math.MaxInt64
}

// latencyWeighted draws an order at random, favouring fast channels: each
// measured channel gets weight (best/mean)^beta and a key -ln(U)/weight,
// smallest first (an exponential race). Qualified channels come before the
// rest; unmeasured ones follow their group in random order.
type latencyWeighted struct{ beta float64 }

func (s latencyWeighted) Order(c []ranked, now time.Time, rng *rand.Rand) {
	qualified := partition(c, func(r ranked) bool { return r.qualified })
	s.race(c[:qualified], now, rng)
	s.race(c[qualified:], now, rng)
}

func (s latencyWeighted) race(c []ranked, now time.Time, rng *rand.Rand) {
	measured := partition(c, func(r ranked) bool { return r.latency > 0 })
	m, rest := c[:measured], c[measured:]
	if len(m) > 0 {
		best := m[0].latency
		for _, r := range m[1:] {
			best = min(best, r.latency)
		}
		keys := make([]float64, len(m))
		for i, r := range m {
			w := math.Pow(float64(best)/float64(r.latency), s.beta)
			keys[i] = -math.Log(1-rng.Float64()) / w // 1-U is in (0, 1]
		}
		sortBy(m, keys)
	}
	rng.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
}

// partition moves the channels for which keep is true to the front, stable,
// and returns how many there are.
func partition(c []ranked, keep func(ranked) bool) int {
	out := make([]ranked, 0, len(c))
	for _, r := range c {
		if keep(r) {
			out = append(out, r)
		}
	}
	n := len(out)
	for _, r := range c {
		if !keep(r) {
			out = append(out, r)
		}
	}
	copy(c, out)
	return n
}

// sortBy sorts c by keys, ascending.
func sortBy(c []ranked, keys []float64) {
	idx := make([]int, len(c))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(keys[a], keys[b]) })
	sorted := make([]ranked, len(c))
	for i, j := range idx {
		sorted[i] = c[j]
	}
	copy(c, sorted)
}
