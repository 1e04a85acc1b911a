package probe

import (
	"slices"
	"time"
)

// Fresh is how recent a height must be to vote in the consensus height
// (reference 3.2).
const Fresh = 30 * time.Second

// Block time estimate (reference 3.2): an EMA (α 0.15) of the time per block
// between new heads, from samples between 50 ms and 60 s, trusted after 5
// samples; until then the chain's block_time_ms, else 12 s.
const (
	emaAlpha         = 0.15
	minSample        = 50 * time.Millisecond
	maxSample        = 60 * time.Second
	trustedSamples   = 5
	defaultBlockTime = 12 * time.Second
	// maxCredit caps how far a provider's height is projected forward.
	maxCredit = 30 * time.Second
)

// Chain is what probes learn of a chain as a whole: the highest head seen
// and when, which measure the block time.
type Chain struct {
	BlockTime time.Duration `json:"block_time_ns,omitempty"` // the EMA; see BlockTimeOr
	Samples   int           `json:"samples,omitempty"`
	MaxHeight uint64        `json:"max_height,omitempty"`
	MaxAt     time.Time     `json:"max_at,omitzero"`
}

// Observe folds a head into the block-time estimate: only a new highest
// head is a sample, the time since the last one divided by the blocks
// between them.
func (c Chain) Observe(height uint64, at time.Time) Chain {
	if height <= c.MaxHeight {
		return c
	}
	if c.MaxHeight > 0 && at.After(c.MaxAt) {
		per := at.Sub(c.MaxAt) / time.Duration(height-c.MaxHeight)
		if per >= minSample && per <= maxSample {
			if c.Samples == 0 {
				c.BlockTime = per
			} else {
				c.BlockTime = time.Duration(emaAlpha*float64(per) + (1-emaAlpha)*float64(c.BlockTime))
			}
			c.Samples++
		}
	}
	c.MaxHeight, c.MaxAt = height, at
	return c
}

// BlockTimeOr is the measured block time once trusted, else configured,
// else 12 s.
func (c Chain) BlockTimeOr(configured time.Duration) time.Duration {
	switch {
	case c.Samples >= trustedSamples && c.BlockTime > 0:
		return c.BlockTime
	case configured > 0:
		return configured
	}
	return defaultBlockTime
}

// View is one chain's probe records, by provider instance id.
type View struct {
	Chain     Chain             `json:"chain"`
	Providers map[string]Status `json:"providers"`
}

// Consensus is the chain's consensus height at now: the P75 of fresh
// heights (sorted high to low, the one at index ⌊n/4⌋: the highest of one
// to three providers, the second highest of four to seven...). A
// misconfigured provider (one on another chain, say) has no vote. ok is
// false when no height is fresh.
func (v *View) Consensus(now time.Time) (uint64, bool) {
	if v == nil {
		return 0, false
	}
	hs := make([]uint64, 0, len(v.Providers))
	for _, s := range v.Providers {
		if s.Height > 0 && s.Health != Misconfigured && now.Sub(s.HeightAt) <= Fresh {
			hs = append(hs, s.Height)
		}
	}
	if len(hs) == 0 {
		return 0, false
	}
	slices.Sort(hs)
	slices.Reverse(hs)
	return hs[len(hs)/4], true
}

// OptimisticHeight is where the provider's head probably is at now: its
// last height plus the blocks produced since it was seen (at most 30 s
// worth). ok is false when it has never reported a height.
func (v *View) OptimisticHeight(instance string, now time.Time, configured time.Duration) (uint64, bool) {
	if v == nil {
		return 0, false
	}
	s, ok := v.Providers[instance]
	if !ok || s.Height == 0 {
		return 0, false
	}
	bt := v.Chain.BlockTimeOr(configured)
	credit := min(max(now.Sub(s.HeightAt), 0), maxCredit) / bt
	return s.Height + uint64(credit), true
}

// Lag is the provider's optimistic lag behind consensus at now, in blocks
// (negative: behind). The caller computes the consensus once (Consensus
// sorts) and judges every provider against it. ok is false when the
// provider has never reported a height: such a provider is not judged.
func (v *View) Lag(instance string, consensus uint64, now time.Time, configured time.Duration) (int64, bool) {
	h, ok := v.OptimisticHeight(instance, now, configured)
	if !ok {
		return 0, false
	}
	return int64(h) - int64(consensus), true
}
