package routing

import (
	"context"
	"time"

	"github.com/lasso-serverless/lasso/shared/probe"
	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/proxy"
)

// heads is what the chain's probe records say at the time of one plan: the
// consensus height (reference 3.2) and each provider's optimistic height.
// The view is read once per plan, so every judgement in it agrees.
type heads struct {
	view      *probe.View // nil: nothing known
	now       time.Time
	blockTime time.Duration // the chain's block_time_ms, the fallback of the measured one

	// The consensus costs a sort and an allocation, and most plans (no lag
	// limit, nothing to narrow by block) never ask: it is worked out once,
	// on first use.
	consensus uint64
	known     bool // a consensus exists
	computed  bool
}

// heads reads the call's chain view from Options.Heads.
func (r *Router) heads(ctx context.Context, c *proxy.Call, now time.Time) heads {
	h := heads{now: now, blockTime: c.Chain.BlockTime}
	if r.opts.Heads != nil {
		h.view = r.opts.Heads(ctx, c.Chain.ID)
	}
	return h
}

// consensusHeight is the chain's consensus height; ok is false when no
// height is fresh (or nothing is known), and the height is then 0, which
// request analysis reads as "head unknown".
func (h *heads) consensusHeight() (uint64, bool) {
	if !h.computed {
		h.consensus, h.known = h.view.Consensus(h.now)
		h.computed = true
	}
	return h.consensus, h.known
}

// height is the provider's optimistic height: its last head plus the blocks
// produced since it was seen, at most 30 s worth.
func (h *heads) height(p *profile.Provider) (uint64, bool) {
	if h.view == nil {
		return 0, false
	}
	return h.view.OptimisticHeight(p.InstanceID, h.now, h.blockTime)
}

// lagging reports whether the provider is more than maxLag blocks behind
// the consensus (reference 3.2 step 5), computed once for the plan. A
// provider with no height, or a chain with no consensus, is not judged.
func (h *heads) lagging(p *profile.Provider, maxLag int) bool {
	consensus, known := h.consensusHeight()
	if !known {
		return false
	}
	lag, ok := h.view.Lag(p.InstanceID, consensus, h.now, h.blockTime)
	return ok && lag < -int64(maxLag)
}

// reaches reports whether the provider's optimistic height is at least
// block; one with no height cannot be counted on to have it.
func (h *heads) reaches(p *profile.Provider, block uint64) bool {
	height, ok := h.height(p)
	return ok && height >= block
}

// misconfigured reports whether probes found the provider set up wrong
// (another chain's id, HTTP 401/402). Its breaker may well be closed, since
// it answers, but the answers may be another chain's.
func (h *heads) misconfigured(p *profile.Provider) bool {
	if h.view == nil {
		return false
	}
	s, ok := h.view.Providers[p.InstanceID]
	return ok && s.Health == probe.Misconfigured
}

// lagWarnEvery spaces the warnings of a chain whose candidates all lag.
const lagWarnEvery = time.Minute

// dropLagging leaves out the candidates more than max_lag_blocks behind.
//
// Unlike Lasso, which then plans nothing (and logs), a plan where every
// candidate lags keeps them all and logs a warning: a slightly stale
// answer beats none, and every other narrowing here fails open the same
// way. Lag exclusions are not counted in Plan.Skipped, which counts the
// channels Lasso rejects at attempt time (parameter limits) as retries;
// Lasso's lag filter, like its capability and archival filters, runs before
// any attempt.
//
// An override names its provider whatever its lag (the probe's own
// eth_blockNumber is one), so it is not filtered, and the warning comes at
// most once a minute per chain: a lagging chain must not flood the log.
func (r *Router) dropLagging(c *proxy.Call, cands []entry, h *heads) []entry {
	maxLag := c.Chain.Selection.MaxLagBlocks
	if maxLag < 0 || h.view == nil || c.Override != nil {
		return cands
	}
	n := 0
	for _, x := range cands {
		if h.lagging(x.Provider, maxLag) {
			n++
		}
	}
	switch n {
	case 0:
		return cands
	case len(cands):
		if last, ok := r.lagWarned.Load(c.Chain.Key); !ok || h.now.Sub(last.(time.Time)) >= lagWarnEvery {
			r.lagWarned.Store(c.Chain.Key, h.now)
			r.opts.Log.Warn("every candidate lags the consensus height; planning them anyway",
				"chain", c.Chain.Key, "consensus", h.consensus, "max_lag_blocks", maxLag, "candidates", n)
		}
		return cands
	}
	out := make([]entry, 0, len(cands)-n)
	for _, x := range cands {
		if !h.lagging(x.Provider, maxLag) {
			out = append(out, x)
		}
	}
	return out
}
