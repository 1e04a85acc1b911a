package routing

import (
	"context"

	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/proxy"
)

// ChannelInfo is one channel's state as a status page shows it.
type ChannelInfo struct {
	Provider  *profile.Provider
	Transport string
	State     ChannelState
}

// Channels reads the state of every channel of chain c in profile p, the
// way a plan reads it (the container's snapshot first, the store in one
// round trip for the rest), without planning or admitting anything.
func (r *Router) Channels(ctx context.Context, p *profile.Profile, c *profile.Chain) []ChannelInfo {
	cands := channels(c.Providers, "")
	call := &proxy.Call{Profile: p, Chain: c}
	chans := make([]Channel, len(cands))
	for i, cand := range cands {
		chans[i] = channelOf(call, cand)
	}
	states := r.state.load(ctx, chans)
	out := make([]ChannelInfo, len(cands))
	for i, cand := range cands {
		out[i] = ChannelInfo{Provider: cand.Provider, Transport: cand.Transport, State: states[i]}
	}
	return out
}
