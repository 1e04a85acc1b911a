package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"

	"github.com/lasso-serverless/lasso/shared/proxy"
)

// Routing metadata a client may ask for (reference 1.5): in headers
// (x-lasso-meta, base64url JSON) or in the body ("lasso_meta").
const (
	metaNone    = ""
	metaHeaders = "headers"
	metaBody    = "body"
	// maxMetaHeader: a larger encoded header is left out (proxies cap header
	// sizes); x-lasso-request-id is still sent.
	maxMetaHeader = 4096
)

// metaMode reads include_meta from the query or, failing that, the
// X-Lasso-Include-Meta header.
func metaMode(r *http.Request) string {
	v := r.URL.Query().Get("include_meta")
	if v == "" {
		v = r.Header.Get("X-Lasso-Include-Meta")
	}
	switch v {
	case metaHeaders, metaBody:
		return v
	}
	return metaNone
}

type selected struct {
	ID       string `json:"id"`
	Protocol string `json:"protocol"`
}

// meta is the metadata object; nil fields are omitted.
type meta struct {
	Version            string    `json:"version"`
	RequestID          string    `json:"request_id"`
	Strategy           string    `json:"strategy,omitempty"`
	ChainID            int64     `json:"chain_id"`
	Transport          string    `json:"transport,omitempty"`
	CandidateProviders []string  `json:"candidate_providers,omitempty"`
	SelectedProvider   *selected `json:"selected_provider,omitempty"`
	SelectionLatencyMS *float64  `json:"selection_latency_ms,omitempty"`
	UpstreamLatencyMS  *float64  `json:"upstream_latency_ms,omitempty"`
	EndToEndLatencyMS  float64   `json:"end_to_end_latency_ms"`
	LassoOverheadMS    float64   `json:"lasso_overhead_ms"`
	Retries            int       `json:"retries"`
	BreakerState       string    `json:"circuit_breaker_state,omitempty"`
}

func buildMeta(c *proxy.Call, elapsed time.Duration) []byte {
	m := meta{
		Version:           "1.0",
		RequestID:         c.RequestID,
		ChainID:           c.Chain.ID,
		EndToEndLatencyMS: ms(elapsed),
		LassoOverheadMS:   ms(elapsed - c.Meta.Upstream),
		Retries:           c.Meta.Retries,
	}
	if !c.Meta.Local {
		m.Strategy = c.Strategy
		sel, up := ms(c.Meta.Selection), ms(c.Meta.Upstream)
		m.SelectionLatencyMS = &sel
		for _, cand := range c.Meta.Candidates {
			m.CandidateProviders = append(m.CandidateProviders, cand.Provider.ID+":"+cand.Transport)
		}
		if c.Meta.Provider != "" {
			m.Transport = c.Meta.Transport
			m.SelectedProvider = &selected{ID: c.Meta.Provider, Protocol: c.Meta.Transport}
			m.UpstreamLatencyMS = &up
			m.BreakerState = c.Meta.Breaker
		}
	}
	b, _ := json.Marshal(m)
	return b
}

// setMetaHeaders adds the header form for a call (a batch's first call).
func setMetaHeaders(w http.ResponseWriter, c *proxy.Call, elapsed time.Duration) {
	w.Header().Set("X-Lasso-Request-Id", c.RequestID)
	if enc := base64.RawURLEncoding.EncodeToString(buildMeta(c, elapsed)); len(enc) <= maxMetaHeader {
		w.Header().Set("X-Lasso-Meta", enc)
	}
}
