package httpapi

import (
	"net/http"
)

// readyChain is one chain's line in /api/ready.
type readyChain struct {
	Profile         string `json:"profile"`
	Chain           string `json:"chain"`
	ChainID         int64  `json:"chain_id"`
	Ready           bool   `json:"ready"`
	UsableProviders int    `json:"usable_providers"`
	TotalProviders  int    `json:"total_providers"`
}

// ready answers readiness: 200 when every chain of every profile has a
// provider that can serve (see serving), 503 naming the chains that have
// none. It is all-chains strict, so one chain without providers fails it;
// the template's Route 53 check therefore stays on /api/health, and this is
// for operators and load balancers that want that strictness. Unlike
// /api/health it reads provider state, but it sends nothing upstream: it
// reports what probes and breakers already know.
//
// It is open (no token): the callers are infrastructure.
func (h *Handler) ready(w http.ResponseWriter, r *http.Request) {
	cfg := h.opts.Config()
	chains := []readyChain{}
	ok := cfg != nil // no config yet: nothing can be served
	if cfg != nil {
		for _, p := range cfg.Profiles() {
			for _, c := range p.Chains {
				rep := h.inspect(r.Context(), p, c)
				line := readyChain{Profile: p.Slug, Chain: c.Key, ChainID: c.ID, TotalProviders: len(rep.Providers)}
				for _, pr := range rep.Providers {
					if serving(pr) {
						line.UsableProviders++
					}
				}
				line.Ready = line.UsableProviders > 0
				ok = ok && line.Ready
				chains = append(chains, line)
			}
		}
	}
	status, word := http.StatusOK, "ready"
	if !ok {
		status, word = http.StatusServiceUnavailable, "not_ready"
	}
	writeJSON(w, status, map[string]any{"status": word, "chains": chains})
}
