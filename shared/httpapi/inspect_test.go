package httpapi

import (
	"context"
	"net/http"
	"testing"

	"github.com/lasso-serverless/lasso/shared/probe"
	"github.com/lasso-serverless/lasso/shared/profile"
)

// fakeState is a scripted Options.Inspect: reports by
// "profile/chain/provider"; a provider it does not name is left out of the
// report, as an app that has never seen it would.
type fakeState map[string]ProviderReport

func (s fakeState) Inspect(_ context.Context, p *profile.Profile, c *profile.Chain) ChainReport {
	var rep ChainReport
	for _, pr := range c.Providers {
		if r, ok := s[p.Slug+"/"+c.Key+"/"+pr.ID]; ok {
			r.Provider = pr
			rep.Providers = append(rep.Providers, r)
		}
	}
	return rep
}

func probed(h probe.Health) ProviderReport { return ProviderReport{Probe: probe.Status{Health: h}} }

// breakers is a provider whose channels' breakers are in the given phases.
func breakers(phases ...string) ProviderReport {
	pr := probed(probe.Healthy)
	for i, ph := range phases {
		pr.Channels = append(pr.Channels, ChannelReport{Transport: []string{"http", "ws"}[i%2], Breaker: ph})
	}
	return pr
}

func TestInspectFillsGaps(t *testing.T) {
	cfg := testConfig(t)
	p, _ := cfg.Profile("public")
	c, _ := p.Chain("ethereum")
	tests := []struct {
		name    string
		inspect func(context.Context, *profile.Profile, *profile.Chain) ChainReport
	}{
		{"nil Inspect", nil},
		{"empty report", func(context.Context, *profile.Profile, *profile.Chain) ChainReport { return ChainReport{} }},
		{"providers out of order, one missing, unknown one", func(context.Context, *profile.Profile, *profile.Chain) ChainReport {
			stranger := &profile.Provider{ID: "gone"}
			return ChainReport{Providers: []ProviderReport{{Provider: stranger}, {Provider: c.Providers[1]}, {}}}
		}},
	}
	for _, tt := range tests {
		h := New(Options{Config: func() *profile.Config { return cfg }, Inspect: tt.inspect})
		rep := h.inspect(context.Background(), p, c)
		if len(rep.Providers) != 2 {
			t.Fatalf("%s: got %d providers, want 2", tt.name, len(rep.Providers))
		}
		for i, pr := range rep.Providers {
			if pr.Provider != c.Providers[i] || pr.Probe.Health != probe.Unknown ||
				len(pr.Channels) != 1 || pr.Channels[0] != (ChannelReport{Transport: "http", Breaker: "closed"}) {
				t.Errorf("%s: provider %d: got %+v, want %s unknown with one closed http channel", tt.name, i, pr, c.Providers[i].ID)
			}
		}
	}
}

// The new routes keep the CORS and request-id behaviour of the others,
// whatever they answer.
func TestStatusRoutesCORS(t *testing.T) {
	r := newRig(t, func(o *Options) { o.StatusToken = "s3cret-token" })
	for _, tc := range []struct {
		target string
		status int
	}{
		{"/api/ready", 200},
		{"/api/status", 401},
		{"/api/status/public", 401},
		{"/api/metrics/eth", 401},
	} {
		w := r.do(http.MethodGet, tc.target, "")
		if w.Code != tc.status {
			t.Errorf("GET %s: status %d, want %d", tc.target, w.Code, tc.status)
		}
		wantCORS(t, "GET "+tc.target, w.Header())
	}
	if w := r.do(http.MethodOptions, "/api/status", ""); w.Code != http.StatusNoContent {
		t.Errorf("OPTIONS /api/status: got %d, want 204 (preflight needs no token)", w.Code)
	}
}

func TestStatusRoutesNotFound(t *testing.T) {
	r := newRig(t, nil)
	for _, tc := range []struct{ method, target string }{
		{"POST", "/api/ready"},
		{"POST", "/api/status"},
		{"GET", "/api/status/"},
		{"GET", "/api/status/public/ethereum"},
		{"GET", "/api/metrics"},
		{"GET", "/api/metrics/"},
		{"GET", "/api/metrics/eth/a"},
		{"POST", "/api/metrics/eth"},
		{"GET", "/api/ready/"},
	} {
		w := r.do(tc.method, tc.target, "")
		if w.Code != http.StatusNotFound || w.Body.String() != `{"error":"Not found"}` {
			t.Errorf("%s %s: got %d %s, want 404 {\"error\":\"Not found\"}", tc.method, tc.target, w.Code, w.Body)
		}
	}
}
