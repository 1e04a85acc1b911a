package routing

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/lasso-serverless/lasso/shared/profile"
)

// Strategy orders candidates in place.
type Strategy interface {
	Order(candidates []*profile.Provider, rng *rand.Rand)
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

// strategies is the one place a name becomes behaviour.
var strategies = map[string]Strategy{
	Priority:     byPriority{},
	LoadBalanced: shuffle{},
	// Without latency evidence both rank as Lasso does on a cold start:
	// fastest by provider id, latency_weighted at random. Evidence-based
	// ranking replaces these entries; the names and routes stay.
	Fastest:         byID{},
	LatencyWeighted: shuffle{},
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

// Order sorts by priority; Providers are already in that order, so this only
// restores it after filtering (stable, file order breaks ties).
func (byPriority) Order(c []*profile.Provider, _ *rand.Rand) {
	slices.SortStableFunc(c, func(a, b *profile.Provider) int { return cmp.Compare(a.Priority, b.Priority) })
}

type shuffle struct{}

func (shuffle) Order(c []*profile.Provider, rng *rand.Rand) {
	rng.Shuffle(len(c), func(i, j int) { c[i], c[j] = c[j], c[i] })
}

type byID struct{}

func (byID) Order(c []*profile.Provider, _ *rand.Rand) {
	slices.SortStableFunc(c, func(a, b *profile.Provider) int { return strings.Compare(a.ID, b.ID) })
}
