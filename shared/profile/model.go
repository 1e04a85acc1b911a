package profile

import (
	"github.com/lasso-serverless/lasso/shared/classify"

	"strconv"
	"time"
)

// Config is every loaded profile, frozen after Load: readers share it across
// goroutines without locks, and a reload swaps in a whole new Config.
type Config struct {
	profiles map[string]*Profile
	order    []*Profile
	secrets  []string
}

// DefaultProfile is the profile of routes without a /profile/<slug> prefix.
const DefaultProfile = "public"

// profileAliases are slugs that name another profile (Lasso's profile_aliases).
var profileAliases = map[string]string{"default": DefaultProfile}

// Profile returns the profile with this slug or alias.
func (c *Config) Profile(slug string) (*Profile, bool) {
	if target, ok := profileAliases[slug]; ok {
		slug = target
	}
	p, ok := c.profiles[slug]
	return p, ok
}

// Profiles returns the profiles in slug order.
func (c *Config) Profiles() []*Profile { return c.order }

// Secrets returns every secret value the profiles hold (API keys, values
// substituted from the environment, credentials inside URLs). Log and error
// output is scrubbed of them.
func (c *Config) Secrets() []string { return c.secrets }

// Profile is one profile file.
type Profile struct {
	Slug       string
	Name       string
	Logo       string
	File       string
	RPSLimit   int // client requests per second, per client identity
	BurstLimit int
	Unlisted   bool
	Chains     []*Chain // in file order

	// RateLimitFailClosed refuses calls (429) when the client rate limiter
	// cannot decide, as when Redis is down; by default they go through.
	RateLimitFailClosed bool

	byName   map[string]*Chain // chain keys and aliases
	byID     map[int64]*Chain
	slugLine int
}

// Chain resolves a URL segment: a decimal chain id first, then a chain key or
// alias.
func (p *Profile) Chain(segment string) (*Chain, bool) {
	// Checking the first byte spares ParseInt's error allocation for names.
	if segment != "" && segment[0] >= '0' && segment[0] <= '9' {
		if id, err := strconv.ParseInt(segment, 10, 64); err == nil {
			if c, ok := p.byID[id]; ok {
				return c, true
			}
		}
	}
	c, ok := p.byName[segment]
	return c, ok
}

// Chain is one chain of a profile.
type Chain struct {
	Key     string // URL slug
	Name    string
	ID      int64
	Aliases []string
	// IDHex is the chain id as a JSON string in lower-case hex ("0xa4b1"),
	// ready to answer eth_chainId without a provider.
	IDHex []byte
	// BlockTime is the configured block time; zero when the file gives none.
	BlockTime  time.Duration
	Monitoring Monitoring
	Selection  Selection
	WebSocket  WebSocket
	UI         UI
	Providers  []*Provider // in priority order (stable on file order)

	byID map[string]*Provider
}

// Provider returns the provider with this id.
func (c *Chain) Provider(id string) (*Provider, bool) {
	p, ok := c.byID[id]
	return p, ok
}

// Monitoring drives health probes and block polling.
type Monitoring struct {
	ProbeInterval     time.Duration
	LagAlertThreshold int
}

// Selection holds routing filters.
type Selection struct {
	// MaxLagBlocks is -1 when unset: no lag filtering.
	MaxLagBlocks      int
	ArchivalThreshold int
}

// WebSocket holds subscription settings.
type WebSocket struct {
	SubscribeNewHeads bool
	NewHeadsTimeout   time.Duration
	MaxBackfillBlocks int
	BackfillTimeout   time.Duration
}

// UI is dashboard decoration.
type UI struct {
	Color string
	Size  string
}

// Provider is one upstream of a chain.
type Provider struct {
	ID                string
	Name              string
	Priority          int
	URL               string // HTTP endpoint, secrets substituted; may be empty
	WSURL             string
	Archival          bool
	SubscribeNewHeads bool
	Isolated          bool // sharing_mode: isolated
	// Headers are sent upstream in order (later wins): content-type, accept,
	// authorization from api_key, headers, auth_headers; names lower-cased.
	Headers      []Header
	Capabilities Capabilities
	// InstanceID names the physical upstream: providers with the same
	// endpoint and credentials share it (and so share breakers) across
	// profiles, unless Isolated salts it with the profile.
	InstanceID string
	// Redacted is the URL safe to show: scheme and host only.
	Redacted string
}

// Header is one upstream request header.
type Header struct{ Name, Value string }

// Capabilities says what a provider will not serve.
type Capabilities struct {
	// UnsupportedCategories defaults to [local_only]; a file that gives the
	// key replaces the default.
	UnsupportedCategories []string
	UnsupportedMethods    []string
	MaxBlockRange         int // -1 when unset
	MaxBlockAge           int // -1 when unset
	BlockAgeMethods       []string
	ErrorRules            []classify.Rule // first match wins
}
