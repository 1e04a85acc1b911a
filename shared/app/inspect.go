package app

import (
	"context"
	"time"

	"github.com/lasso-serverless/lasso/shared/breaker"
	"github.com/lasso-serverless/lasso/shared/httpapi"
	"github.com/lasso-serverless/lasso/shared/probe"
	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/routing"
)

// inspect implements httpapi.Options.Inspect: what the status API shows of
// a chain joins the probes' view (heads, health, lag) and the router's
// channel state (breakers, evidence, rate limits), each read the way
// routing reads it.
func inspect(router *routing.Router, heads *probe.Snapshot, clock func() time.Time) func(context.Context, *profile.Profile, *profile.Chain) httpapi.ChainReport {
	return func(ctx context.Context, p *profile.Profile, c *profile.Chain) httpapi.ChainReport {
		now := clock()
		view := heads.View(ctx, c.ID)
		var rep httpapi.ChainReport
		rep.Consensus, rep.HasConsensus = view.Consensus(now)
		if view != nil {
			rep.BlockTime = view.Chain.BlockTimeOr(c.BlockTime)
		}
		rep.Providers = make([]httpapi.ProviderReport, len(c.Providers))
		index := make(map[string]int, len(c.Providers))
		for i, pr := range c.Providers {
			r := httpapi.ProviderReport{Provider: pr}
			if view != nil {
				r.Probe = view.Providers[pr.InstanceID]
			}
			if rep.HasConsensus {
				r.Lag, r.HasLag = view.Lag(pr.InstanceID, rep.Consensus, now, c.BlockTime)
			}
			rep.Providers[i], index[pr.ID] = r, i
		}
		for _, ch := range router.Channels(ctx, p, c) {
			st := ch.State
			cr := httpapi.ChannelReport{
				Transport: ch.Transport, Breaker: st.Breaker.Phase.String(),
				LatencyEWMA: st.Evidence.Latency, Reliability: st.Evidence.Reliability,
				Successes: st.Evidence.Successes, LimitedUntil: st.LimitedUntil,
			}
			if st.Breaker.Phase == breaker.Open {
				cr.OpenUntil = st.Breaker.OpenUntil
			}
			if i, ok := index[ch.Provider.ID]; ok {
				rep.Providers[i].Channels = append(rep.Providers[i].Channels, cr)
			}
		}
		return rep
	}
}
