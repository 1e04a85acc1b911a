package probe

import (
	"time"

	"github.com/lasso-serverless/lasso/shared/profile"
)

// Target is one provider instance on one chain: probed once per round
// however many profiles list it, since heads and breakers belong to the
// physical upstream.
type Target struct {
	// Profile is the first profile that lists the instance: the pipeline
	// routes a call within a profile.
	Profile  *profile.Profile
	Chain    *profile.Chain
	Provider *profile.Provider
	// Interval is the shortest probe_interval_ms of the chains that list it.
	Interval time.Duration
}

type targetKey struct {
	chain    int64
	instance string
}

// Targets lists cfg's distinct (chain id, instance) pairs, in profile and
// file order. Providers without an HTTP URL (WebSocket only) are left out:
// probes speak HTTP.
func Targets(cfg *profile.Config) []Target {
	if cfg == nil {
		return nil
	}
	var out []Target
	seen := map[targetKey]int{}
	for _, p := range cfg.Profiles() {
		for _, c := range p.Chains {
			for _, pr := range c.Providers {
				if pr.URL == "" {
					continue
				}
				k := targetKey{c.ID, pr.InstanceID}
				if i, ok := seen[k]; ok {
					out[i].Interval = min(out[i].Interval, c.Monitoring.ProbeInterval)
					continue
				}
				seen[k] = len(out)
				out = append(out, Target{Profile: p, Chain: c, Provider: pr, Interval: c.Monitoring.ProbeInterval})
			}
		}
	}
	return out
}
