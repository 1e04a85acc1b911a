package routing

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/lasso-serverless/lasso/shared/breaker"
	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/proxy"
)

// maxCandidates is Lasso's cursor limit: a call considers ten channels.
const maxCandidates = 10

// Plan implements proxy.Planner (reference 3.2 to 3.4): the chain's channels
// (or the override's) without open breakers; without those lagging the
// consensus height; narrowed by capability, archive need and parameter
// limits, each narrowing failing open when nothing would remain; ranked by
// the strategy; then ordered by health tier, with the providers that reach
// the requested block first within a tier and probe-misconfigured ones last.
func (r *Router) Plan(ctx context.Context, c *proxy.Call) proxy.Plan {
	now := r.opts.Now()
	providers := c.Chain.Providers
	if c.Override != nil {
		providers = []*profile.Provider{c.Override}
	}
	var plan proxy.Plan
	cands := r.closed(ctx, c, channels(providers, c.Transport), now, &plan)
	if len(cands) == 0 {
		return plan
	}

	h := r.heads(ctx, c, now)
	cands = r.dropLagging(c, cands, &h)
	cands = prefer(cands, func(x entry) bool { return supports(x.Provider, c.Request.Method) })
	all := len(cands)
	// Reading the call's blocks costs a JSON decode: only when some
	// candidate could be narrowed by it.
	if needsQuery(cands) {
		head, _ := h.consensusHeight()
		q := analyze(c.Request, head, c.Chain.Selection.ArchivalThreshold)
		if q.archive {
			cands = prefer(cands, func(x entry) bool { return x.Provider.Archival })
			all = len(cands)
		}
		cands = prefer(cands, func(x entry) bool { return withinLimits(x.Provider, q) })
	}
	plan.Skipped = all - len(cands)
	// Heights can only order a call that names a block.
	var target uint64
	hasTarget := false
	if h.view != nil {
		target, hasTarget = requested(c.Request)
	}

	rs := make([]ranked, len(cands))
	places := make([]int, len(cands))
	for i, x := range cands {
		places[i] = place(
			h.misconfigured(x.Provider),
			tier(x.Breaker == breaker.HalfOpen.String(), now.Before(x.st.LimitedUntil)),
			!hasTarget || h.reaches(x.Provider, target),
		)
		rs[i] = newRanked(x.Provider.ID, x.Transport, x.Provider.Priority, x.st.Evidence, now, i)
	}
	strategy, ok := r.strategies[c.Strategy]
	if !ok {
		strategy = r.strategies[Default]
	}
	r.mu.Lock()
	strategy.Order(rs, now, r.rng)
	r.mu.Unlock()
	// Places reorder across the strategy but keep its order within each
	// (reference 3.4 for tiers).
	slices.SortStableFunc(rs, func(a, b ranked) int { return cmp.Compare(places[a.index], places[b.index]) })

	plan.Candidates = make([]proxy.Candidate, 0, min(len(rs), maxCandidates))
	for _, x := range rs[:min(len(rs), maxCandidates)] {
		plan.Candidates = append(plan.Candidates, cands[x.index].Candidate)
	}
	return plan
}

// place is a candidate's rank before the strategy's order, most telling
// first:
//
//   - a provider that probes found misconfigured goes after every other,
//     whatever its breaker says: it answers, but maybe for another chain;
//   - then Lasso's health tier (reference 3.4);
//   - then, within a tier, the providers whose optimistic height reaches the
//     block the call names (reference 3.2 step 6). Lasso puts them first
//     before ranking, which a sorting strategy (priority, fastest) then
//     undoes; ranking them here keeps the order. Tiers still outrank it, as
//     in Lasso, where tiering comes last.
//
// None of them removes a candidate, so each fails open by construction.
func place(misconfigured bool, tier int, reaches bool) int {
	p := 2 * tier
	if !reaches {
		p++
	}
	if misconfigured {
		p += 16
	}
	return p
}

// entry is a candidate with the state read for it.
type entry struct {
	proxy.Candidate
	st ChannelState
}

// closed reads every candidate's state in one load and keeps those whose
// breaker is not open, each marked with its phase. When none is left, plan
// says all were open and when the first is due.
func (r *Router) closed(ctx context.Context, c *proxy.Call, cands []proxy.Candidate, now time.Time, plan *proxy.Plan) []entry {
	if len(cands) == 0 {
		return nil
	}
	chans := make([]Channel, len(cands))
	for i, cand := range cands {
		chans[i] = channelOf(c, cand)
	}
	states := r.state.load(ctx, chans)
	out := make([]entry, 0, len(cands))
	for i, cand := range cands {
		phase := r.opts.Breaker.PhaseAt(states[i].Breaker, now) // an open breaker past its deadline reads half-open
		if phase == breaker.Open {
			if wait := r.opts.Breaker.RetryIn(states[i].Breaker, now); plan.RetryIn == 0 || wait < plan.RetryIn {
				plan.RetryIn = wait
			}
			continue
		}
		cand.Breaker = phase.String()
		out = append(out, entry{Candidate: cand, st: states[i]})
	}
	plan.AllOpen = len(out) == 0
	return out
}

// tier is Lasso's health tier: closed before half-open, and either before
// the same rate-limited.
func tier(halfOpen, rateLimited bool) int {
	t := 1
	if halfOpen {
		t++
	}
	if rateLimited {
		t += 2
	}
	return t
}

// channels lists the providers' channels the call may use. Only HTTP
// exists for now: a WS channel needs a live shared upstream connection,
// which arrives with subscriptions.
func channels(providers []*profile.Provider, transport string) []proxy.Candidate {
	out := make([]proxy.Candidate, 0, len(providers))
	for _, p := range providers {
		if p.URL != "" && (transport == "" || transport == proxy.HTTP) {
			out = append(out, proxy.Candidate{Provider: p, Transport: proxy.HTTP})
		}
	}
	return out
}

// needsQuery reports whether a candidate is not archival or has parameter
// limits, the only things the call's block parameters decide.
func needsQuery(cands []entry) bool {
	for _, x := range cands {
		caps := &x.Provider.Capabilities
		if !x.Provider.Archival || caps.MaxBlockRange >= 0 || caps.MaxBlockAge >= 0 {
			return true
		}
	}
	return false
}

// prefer keeps the candidates for which ok holds, or all of them when none
// does: a capability or limit we cannot satisfy is better tried than
// refused (Lasso's fail-open rule).
func prefer[T any](ps []T, ok func(T) bool) []T {
	n := 0
	for _, p := range ps {
		if ok(p) {
			n++
		}
	}
	if n == 0 || n == len(ps) {
		return ps // nobody or everybody: no copy
	}
	out := make([]T, 0, n)
	for _, p := range ps {
		if ok(p) {
			out = append(out, p)
		}
	}
	return out
}
