package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/probe"
	"github.com/lasso-serverless/lasso/shared/profile"
)

// secretYAML has keys everywhere providers put them: in the path, the
// query, user info, an ${ENV} substitution and an api_key.
const secretYAML = `---
name: Keys
slug: public
---
chains:
  ethereum:
    chain_id: 1
    name: Ethereum Mainnet
    block_time_ms: 12000
    providers:
      - id: alchemy
        name: Alchemy
        priority: 1
        url: https://eth-mainnet.g.alchemy.com/v2/AlchemyPathKey0123456789
        ws_url: wss://eth-mainnet.g.alchemy.com/v2/AlchemyPathKey0123456789
      - id: infura
        url: https://mainnet.infura.io/v3/${INFURA_KEY}?apikey=QueryKeyValue42
        archival: false
      - id: userinfo
        url: https://someone:PasswordInUserInfo@node.example/rpc
        api_key: ApiKeyHeaderSecret99
`

func secretConfig(t testing.TB) *profile.Config {
	t.Helper()
	cfg, err := profile.Load(map[string][]byte{"profiles/public.yml": []byte(secretYAML)}, func(name string) (string, bool) {
		if name == "INFURA_KEY" {
			return "EnvSubstitutedInfuraKey77", true
		}
		return "", false
	})
	if err != nil {
		t.Fatalf("profile.Load: %v", err)
	}
	return cfg
}

func TestStatusRedactsKeys(t *testing.T) {
	cfg := secretConfig(t)
	secrets := append([]string{
		"AlchemyPathKey0123456789", "EnvSubstitutedInfuraKey77", "QueryKeyValue42",
		"PasswordInUserInfo", "someone", "ApiKeyHeaderSecret99",
	}, cfg.Secrets()...)
	r := newRig(t, func(o *Options) {
		o.Config = func() *profile.Config { return cfg }
		o.Inspect = fakeState{"public/ethereum/infura": {
			Probe: probe.Status{Health: probe.Degraded, Failures: 1, Reason: "timeout"},
		}}.Inspect
	})
	for _, target := range []string{"/api/status", "/api/status/public"} {
		w := r.do(http.MethodGet, target, "")
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s: status %d: %s", target, w.Code, w.Body)
		}
		for _, s := range secrets {
			if strings.Contains(w.Body.String(), s) {
				t.Errorf("GET %s: body carries secret %q: %s", target, s, w.Body)
			}
		}
		var got statusBody
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		wantURLs := map[string]string{
			"alchemy":  "https://eth-mainnet.g.alchemy.com/<redacted>",
			"infura":   "https://mainnet.infura.io/<redacted>",
			"userinfo": "https://node.example/<redacted>",
		}
		for _, p := range got.Profiles[0].Chains[0].Providers {
			if p.URL != wantURLs[p.ID] {
				t.Errorf("GET %s: %s url %q, want %q", target, p.ID, p.URL, wantURLs[p.ID])
			}
		}
	}
	if logs := r.logs.String(); logs != "" {
		for _, s := range secrets {
			if strings.Contains(logs, s) {
				t.Errorf("log carries secret %q", s)
			}
		}
	}
}

// TestStatusShape checks every field against a report that sets them all,
// and what is left out when they are unknown.
func TestStatusShape(t *testing.T) {
	now := epoch // the rig's clock
	inspect := func(_ context.Context, p *profile.Profile, c *profile.Chain) ChainReport {
		if p.Slug != "public" || c.Key != "ethereum" {
			return ChainReport{}
		}
		a, _ := c.Provider("a")
		return ChainReport{Consensus: 21_000_000, HasConsensus: true, BlockTime: 12100 * time.Millisecond,
			Providers: []ProviderReport{{
				Provider: a,
				Probe: probe.Status{Health: probe.Healthy, Height: 20_999_998, HeightAt: now.Add(-1500 * time.Millisecond),
					CheckedAt: now.Add(-time.Second), Latency: 42 * time.Millisecond},
				Lag: -2, HasLag: true,
				Channels: []ChannelReport{
					{Transport: "http", Breaker: "open", OpenUntil: now.Add(30 * time.Second),
						LatencyEWMA: 85500 * time.Microsecond, Reliability: 0.75, Successes: 12,
						LimitedUntil: now.Add(5 * time.Second)},
					{Transport: "ws", Breaker: "half_open", OpenUntil: now.Add(-time.Second),
						LimitedUntil: now.Add(-time.Second)},
				},
			}}}
	}
	r := newRig(t, func(o *Options) { o.Inspect = inspect })
	w := r.do(http.MethodGet, "/api/status/public", "")
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	want := `{
	  "timestamp": "2025-03-01T12:00:00Z",
	  "profiles": [{"slug": "public", "name": "Public", "chains": [
	    {"key": "ethereum", "name": "Ethereum Mainnet", "chain_id": 1, "consensus_height": 21000000, "block_time_ms": 12100,
	     "providers": [
	       {"id": "a", "name": "a", "url": "https://a.example/<redacted>", "archival": true, "priority": 1,
	        "health": "healthy", "height": 20999998, "height_age_ms": 1500, "lag_blocks": -2, "failures": 0,
	        "checked_at": "2025-03-01T11:59:59Z", "probe_latency_ms": 42,
	        "channels": [
	          {"transport": "http", "breaker": "open", "breaker_open_until": "2025-03-01T12:00:30Z",
	           "latency_ewma_ms": 85.5, "success_rate": 0.75, "successes": 12, "rate_limited_until": "2025-03-01T12:00:05Z"},
	          {"transport": "ws", "breaker": "half_open", "latency_ewma_ms": 0, "success_rate": 0, "successes": 0}]},
	       {"id": "b", "name": "b", "url": "https://b.example", "archival": true, "priority": 2,
	        "health": "unknown", "failures": 0,
	        "channels": [{"transport": "http", "breaker": "closed", "latency_ewma_ms": 0, "success_rate": 0, "successes": 0}]}]},
	    {"key": "base", "name": "Base", "chain_id": 8453, "block_time_ms": 12000,
	     "providers": [
	       {"id": "a", "name": "a", "url": "https://base-a.example", "archival": true, "priority": 100,
	        "health": "unknown", "failures": 0,
	        "channels": [{"transport": "http", "breaker": "closed", "latency_ewma_ms": 0, "success_rate": 0, "successes": 0}]}]}]}]}`
	wantJSON(t, w.Body.Bytes(), want)
}

// wantJSON compares two JSON documents by value.
func wantJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got is not JSON: %v: %s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want is not JSON: %v", err)
	}
	if !reflect.DeepEqual(g, w) {
		canon, _ := json.Marshal(w)
		t.Errorf("got  %s\nwant %s", got, canon)
	}
}

func TestStatusProfiles(t *testing.T) {
	r := newRig(t, nil)
	tests := []struct {
		target string
		slugs  []string
	}{
		{"/api/status", []string{"public", "team"}},
		{"/api/status/public", []string{"public"}},
		{"/api/status/default", []string{"public"}}, // the profile alias, as on /rpc
		{"/api/status/team", []string{"team"}},
	}
	for _, tt := range tests {
		w := r.do(http.MethodGet, tt.target, "")
		var got statusBody
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %v: %s", tt.target, w.Code, err, w.Body)
		}
		var slugs []string
		for _, p := range got.Profiles {
			slugs = append(slugs, p.Slug)
		}
		if !reflect.DeepEqual(slugs, tt.slugs) {
			t.Errorf("GET %s: profiles %v, want %v", tt.target, slugs, tt.slugs)
		}
	}
}

// An unknown profile is answered as on the RPC routes.
func TestStatusUnknownProfile(t *testing.T) {
	r := newRig(t, nil)
	w := r.do(http.MethodGet, "/api/status/nope", "")
	e := wantRPCError(t, w, http.StatusNotFound, -32000, "Profile 'nope' not found")
	if string(e.Error.Data) != `{"error_type":"profile_not_found"}` {
		t.Errorf("data: got %s", e.Error.Data)
	}
	rpc := r.post("/rpc/profile/nope/ethereum", blockNumber)
	if rpc.Code != w.Code || rpc.Body.String() != w.Body.String() {
		t.Errorf("status answer %d %s differs from the RPC route's %d %s", w.Code, w.Body, rpc.Code, rpc.Body)
	}
	// Without a config every profile is unknown.
	r = newRig(t, func(o *Options) { o.Config = func() *profile.Config { return nil } })
	wantRPCError(t, r.do(http.MethodGet, "/api/status/public", ""), http.StatusNotFound, -32000, "Profile 'public' not found")
	if w := r.do(http.MethodGet, "/api/status", ""); w.Code != 200 || !strings.Contains(w.Body.String(), `"profiles":[]`) {
		t.Errorf("no config: got %d %s, want 200 with no profiles", w.Code, w.Body)
	}
}
