package httpapi

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/lasso-serverless/lasso/shared/probe"
	"github.com/lasso-serverless/lasso/shared/profile"
)

type readyBody struct {
	Status string       `json:"status"`
	Chains []readyChain `json:"chains"`
}

func TestReady(t *testing.T) {
	// The test config: public/ethereum (a, b), public/base (a), team/ethereum (t1).
	tests := []struct {
		name     string
		state    fakeState // nil: no Inspect
		status   int
		notReady []string       // "profile/chain" of the chains that are not ready
		usable   map[string]int // usable providers by "profile/chain", where checked
	}{
		{name: "no Inspect: nothing known, all ready", status: 200,
			usable: map[string]int{"public/ethereum": 2, "public/base": 1, "team/ethereum": 1}},
		{name: "never probed counts as usable", state: fakeState{
			"public/ethereum/a": probed(""), "public/ethereum/b": probed(probe.Unknown),
		}, status: 200, usable: map[string]int{"public/ethereum": 2}},
		{name: "all providers of one chain unhealthy", state: fakeState{
			"public/ethereum/a": probed(probe.Unhealthy), "public/ethereum/b": probed(probe.Unhealthy),
			"public/base/a": probed(probe.Healthy),
		}, status: 503, notReady: []string{"public/ethereum"},
			usable: map[string]int{"public/ethereum": 0, "public/base": 1, "team/ethereum": 1}},
		{name: "unhealthy and misconfigured", state: fakeState{
			"public/ethereum/a": probed(probe.Misconfigured), "public/ethereum/b": probed(probe.Unhealthy),
		}, status: 503, notReady: []string{"public/ethereum"}},
		{name: "one unhealthy, one degraded", state: fakeState{
			"public/ethereum/a": probed(probe.Unhealthy), "public/ethereum/b": probed(probe.Degraded),
		}, status: 200, usable: map[string]int{"public/ethereum": 1}},
		{name: "rate limited still serves some calls", state: fakeState{
			"public/ethereum/a": probed(probe.RateLimited), "public/ethereum/b": probed(probe.Unhealthy),
		}, status: 200, usable: map[string]int{"public/ethereum": 1}},
		{name: "every breaker of a chain open", state: fakeState{
			"public/base/a": breakers("open", "open"),
		}, status: 503, notReady: []string{"public/base"}, usable: map[string]int{"public/base": 0, "public/ethereum": 2}},
		{name: "one channel open, the other half open", state: fakeState{
			"public/base/a": breakers("open", "half_open"),
		}, status: 200, usable: map[string]int{"public/base": 1}},
		{name: "healthy but every breaker open, other provider unhealthy", state: fakeState{
			"public/ethereum/a": breakers("open"), "public/ethereum/b": probed(probe.Unhealthy),
		}, status: 503, notReady: []string{"public/ethereum"}, usable: map[string]int{"public/ethereum": 0}},
		{name: "two chains in two profiles down", state: fakeState{
			"public/base/a": probed(probe.Unhealthy), "team/ethereum/t1": breakers("open"),
		}, status: 503, notReady: []string{"public/base", "team/ethereum"}},
	}
	for _, tt := range tests {
		r := newRig(t, func(o *Options) {
			if tt.state != nil {
				o.Inspect = tt.state.Inspect
			}
			o.StatusToken = "not-needed-for-ready" // ready is open to load balancers
		})
		w := r.do(http.MethodGet, "/api/ready", "")
		if w.Code != tt.status {
			t.Errorf("%s: status %d, want %d; body %s", tt.name, w.Code, tt.status, w.Body)
		}
		var got readyBody
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatalf("%s: %v: %s", tt.name, err, w.Body)
		}
		wantWord := map[int]string{200: "ready", 503: "not_ready"}[tt.status]
		if got.Status != wantWord {
			t.Errorf("%s: status %q, want %q", tt.name, got.Status, wantWord)
		}
		if len(got.Chains) != 3 {
			t.Fatalf("%s: got %d chains, want 3: %s", tt.name, len(got.Chains), w.Body)
		}
		notReady := map[string]bool{}
		for _, k := range tt.notReady {
			notReady[k] = true
		}
		for _, c := range got.Chains {
			k := c.Profile + "/" + c.Chain
			if c.Ready == notReady[k] {
				t.Errorf("%s: %s ready %v, want %v", tt.name, k, c.Ready, !notReady[k])
			}
			if n, ok := tt.usable[k]; ok && c.UsableProviders != n {
				t.Errorf("%s: %s usable %d, want %d", tt.name, k, c.UsableProviders, n)
			}
		}
	}
}

// The body's exact shape, in profile then file order.
func TestReadyShape(t *testing.T) {
	r := newRig(t, func(o *Options) {
		o.Inspect = fakeState{"public/ethereum/b": probed(probe.Unhealthy)}.Inspect
	})
	w := r.do(http.MethodGet, "/api/ready", "")
	want := `{"chains":[` +
		`{"profile":"public","chain":"ethereum","chain_id":1,"ready":true,"usable_providers":1,"total_providers":2},` +
		`{"profile":"public","chain":"base","chain_id":8453,"ready":true,"usable_providers":1,"total_providers":1},` +
		`{"profile":"team","chain":"ethereum","chain_id":1,"ready":true,"usable_providers":1,"total_providers":1}` +
		`],"status":"ready"}`
	if w.Code != http.StatusOK || w.Body.String() != want {
		t.Errorf("got %d %s\nwant 200 %s", w.Code, w.Body, want)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
}

// Before any config is loaded nothing can be served.
func TestReadyWithoutConfig(t *testing.T) {
	r := newRig(t, func(o *Options) { o.Config = func() *profile.Config { return nil } })
	w := r.do(http.MethodGet, "/api/ready", "")
	if w.Code != http.StatusServiceUnavailable || w.Body.String() != `{"chains":[],"status":"not_ready"}` {
		t.Errorf("got %d %s, want 503 not_ready with no chains", w.Code, w.Body)
	}
}
