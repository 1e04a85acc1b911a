package httpapi

import (
	"context"
	"time"

	"github.com/lasso-serverless/lasso/shared/probe"
	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/proxy"
)

// ChainReport is what the router knows of one chain right now, for
// /api/ready and /api/status. The app builds it from its state store and
// probe snapshot (Options.Inspect), so httpapi needs neither.
type ChainReport struct {
	Consensus    uint64 // consensus height, when HasConsensus
	HasConsensus bool
	// BlockTime is the measured block time; zero falls back to the chain's
	// configured one, then 12 s (probe.Chain.BlockTimeOr).
	BlockTime time.Duration
	// Providers may come in any order and may leave providers out: each
	// configured provider is matched by id, and a missing one reads as
	// never probed with closed breakers.
	Providers []ProviderReport
}

// ProviderReport is one provider of a chain.
type ProviderReport struct {
	Provider *profile.Provider
	Probe    probe.Status
	Lag      int64 // blocks behind (negative) the consensus, when HasLag
	HasLag   bool
	// Channels are the provider's transports; none means the provider's
	// configured transports with closed breakers (a breaker nobody has
	// stored is a closed one).
	Channels []ChannelReport
}

// ChannelReport is one (provider, transport) channel: its breaker and the
// routing evidence the strategies rank by.
type ChannelReport struct {
	Transport string // proxy.HTTP or proxy.WS
	// Breaker is "closed", "open" or "half_open" (breaker.Phase names);
	// "" reads as closed.
	Breaker      string
	OpenUntil    time.Time // when an open breaker is due for a trial
	LatencyEWMA  time.Duration
	Reliability  float64 // 0..1
	Successes    int
	LimitedUntil time.Time // the provider asked us to back off until then
}

// Breaker phases as ChannelReport names them.
const (
	breakerClosed = "closed"
	breakerOpen   = "open"
)

// inspect returns the chain's report with exactly one ProviderReport per
// configured provider, in the chain's order, so that the endpoints never
// depend on how completely Inspect filled it in.
func (h *Handler) inspect(ctx context.Context, p *profile.Profile, c *profile.Chain) ChainReport {
	var rep ChainReport
	if h.opts.Inspect != nil {
		rep = h.opts.Inspect(ctx, p, c)
	}
	byID := make(map[string]*ProviderReport, len(rep.Providers))
	for i := range rep.Providers {
		if pr := rep.Providers[i].Provider; pr != nil {
			byID[pr.ID] = &rep.Providers[i]
		}
	}
	out := make([]ProviderReport, len(c.Providers))
	for i, pr := range c.Providers {
		if got, ok := byID[pr.ID]; ok {
			out[i] = *got
		}
		out[i].Provider = pr
		if out[i].Probe.Health == "" {
			out[i].Probe.Health = probe.Unknown
		}
		if len(out[i].Channels) == 0 {
			out[i].Channels = configuredChannels(pr)
		}
		for j := range out[i].Channels {
			if out[i].Channels[j].Breaker == "" {
				out[i].Channels[j].Breaker = breakerClosed
			}
		}
	}
	rep.Providers = out
	return rep
}

// configuredChannels are a provider's transports as its config gives them.
func configuredChannels(pr *profile.Provider) []ChannelReport {
	var chs []ChannelReport
	if pr.URL != "" {
		chs = append(chs, ChannelReport{Transport: proxy.HTTP, Breaker: breakerClosed})
	}
	if pr.WSURL != "" {
		chs = append(chs, ChannelReport{Transport: proxy.WS, Breaker: breakerClosed})
	}
	return chs
}

// serving says whether a provider can take calls now: the probes do not
// rule it out (never probed counts: a fresh region must not fail its
// health check before its first probe round) and some breaker admits.
func serving(pr ProviderReport) bool {
	if !pr.Probe.Usable() {
		return false
	}
	for _, ch := range pr.Channels {
		if ch.Breaker != breakerOpen {
			return true
		}
	}
	return false
}
