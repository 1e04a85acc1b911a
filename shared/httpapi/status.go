package httpapi

import (
	"net/http"
	"time"

	"github.com/lasso-serverless/lasso/shared/probe"
	"github.com/lasso-serverless/lasso/shared/profile"
)

// The /api/status shape: what the dashboard's provider panels show
// (reference 8), per profile and chain. URLs are the compiled Redacted
// form (scheme and host), never the configured one: keys live in paths,
// queries and user info, and status output must not carry them.
type (
	statusBody struct {
		Timestamp string          `json:"timestamp"`
		Profiles  []statusProfile `json:"profiles"`
	}
	statusProfile struct {
		Slug   string        `json:"slug"`
		Name   string        `json:"name"`
		Chains []statusChain `json:"chains"`
	}
	statusChain struct {
		Key             string           `json:"key"`
		Name            string           `json:"name"`
		ChainID         int64            `json:"chain_id"`
		ConsensusHeight *uint64          `json:"consensus_height,omitempty"`
		BlockTimeMS     int64            `json:"block_time_ms"`
		Providers       []statusProvider `json:"providers"`
	}
	statusProvider struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		URL      string `json:"url"`
		Archival bool   `json:"archival"`
		Priority int    `json:"priority"`
		Health   string `json:"health"`
		// Height and its age are left out until a probe has seen one.
		Height      uint64          `json:"height,omitempty"`
		HeightAgeMS *int64          `json:"height_age_ms,omitempty"`
		LagBlocks   *int64          `json:"lag_blocks,omitempty"`
		Failures    int             `json:"failures"`
		Reason      string          `json:"reason,omitempty"`
		CheckedAt   string          `json:"checked_at,omitempty"`
		ProbeMS     *float64        `json:"probe_latency_ms,omitempty"`
		Channels    []statusChannel `json:"channels"`
	}
	statusChannel struct {
		Transport        string  `json:"transport"`
		Breaker          string  `json:"breaker"`
		BreakerOpenUntil string  `json:"breaker_open_until,omitempty"`
		LatencyEWMAMS    float64 `json:"latency_ewma_ms"`
		SuccessRate      float64 `json:"success_rate"`
		Successes        int     `json:"successes"`
		RateLimitedUntil string  `json:"rate_limited_until,omitempty"`
	}
)

// status serves /api/status (every profile) and /api/status/<profile>
// (one, in the same shape). An unknown profile gets the RPC routes' answer
// from the one wire table.
func (h *Handler) status(w http.ResponseWriter, r *http.Request, slug string) {
	if !h.authorized(w, r) {
		return
	}
	cfg := h.opts.Config()
	var profiles []*profile.Profile
	switch {
	case slug != "":
		p, ok := lookupProfile(cfg, slug)
		if !ok {
			writeError(w, &unknownProfileError{profile: slug})
			return
		}
		profiles = []*profile.Profile{p}
	case cfg != nil:
		profiles = cfg.Profiles()
	}
	now := h.opts.Now()
	body := statusBody{Timestamp: now.UTC().Format(time.RFC3339Nano), Profiles: make([]statusProfile, 0, len(profiles))}
	for _, p := range profiles {
		sp := statusProfile{Slug: p.Slug, Name: p.Name, Chains: make([]statusChain, 0, len(p.Chains))}
		for _, c := range p.Chains {
			sp.Chains = append(sp.Chains, chainStatus(c, h.inspect(r.Context(), p, c), now))
		}
		body.Profiles = append(body.Profiles, sp)
	}
	writeJSON(w, http.StatusOK, body)
}

func chainStatus(c *profile.Chain, rep ChainReport, now time.Time) statusChain {
	sc := statusChain{
		Key:       c.Key,
		Name:      c.Name,
		ChainID:   c.ID,
		Providers: make([]statusProvider, 0, len(rep.Providers)),
	}
	// A measured block time wins; else the configured one, else Lasso's 12 s.
	bt := rep.BlockTime
	if bt <= 0 {
		bt = probe.Chain{}.BlockTimeOr(c.BlockTime)
	}
	sc.BlockTimeMS = bt.Milliseconds()
	if rep.HasConsensus {
		sc.ConsensusHeight = &rep.Consensus
	}
	for _, pr := range rep.Providers {
		sc.Providers = append(sc.Providers, providerStatus(pr, now))
	}
	return sc
}

func providerStatus(pr ProviderReport, now time.Time) statusProvider {
	st := pr.Probe
	sp := statusProvider{
		ID:       pr.Provider.ID,
		Name:     pr.Provider.Name,
		URL:      pr.Provider.Redacted,
		Archival: pr.Provider.Archival,
		Priority: pr.Provider.Priority,
		Health:   string(st.Health),
		Failures: st.Failures,
		Reason:   st.Reason,
		Channels: make([]statusChannel, 0, len(pr.Channels)),
	}
	if st.Height > 0 {
		sp.Height = st.Height
		if !st.HeightAt.IsZero() {
			age := max(now.Sub(st.HeightAt), 0).Milliseconds()
			sp.HeightAgeMS = &age
		}
	}
	if pr.HasLag {
		sp.LagBlocks = &pr.Lag
	}
	if !st.CheckedAt.IsZero() {
		sp.CheckedAt = st.CheckedAt.UTC().Format(time.RFC3339)
	}
	if st.Latency > 0 {
		l := ms(st.Latency)
		sp.ProbeMS = &l
	}
	for _, ch := range pr.Channels {
		sc := statusChannel{
			Transport:     ch.Transport,
			Breaker:       ch.Breaker,
			LatencyEWMAMS: ms(ch.LatencyEWMA),
			SuccessRate:   ch.Reliability,
			Successes:     ch.Successes,
		}
		if ch.Breaker == breakerOpen && !ch.OpenUntil.IsZero() {
			sc.BreakerOpenUntil = ch.OpenUntil.UTC().Format(time.RFC3339)
		}
		if ch.LimitedUntil.After(now) {
			sc.RateLimitedUntil = ch.LimitedUntil.UTC().Format(time.RFC3339)
		}
		sp.Channels = append(sp.Channels, sc)
	}
	return sp
}

// lookupProfile is cfg.Profile for a Config that may not be loaded yet.
func lookupProfile(cfg *profile.Config, slug string) (*profile.Profile, bool) {
	if cfg == nil {
		return nil, false
	}
	return cfg.Profile(slug)
}
