package httpapi

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/profile"
)

func wantCORS(t *testing.T, what string, h http.Header) {
	t.Helper()
	want := map[string]string{
		"Access-Control-Allow-Origin":   "*",
		"Access-Control-Allow-Methods":  "GET, POST, OPTIONS",
		"Access-Control-Allow-Headers":  "Content-Type, Authorization, X-Api-Key, X-Requested-With, X-Lasso-Provider, X-Lasso-Transport, X-Lasso-Include-Meta, X-Request-Id",
		"Access-Control-Expose-Headers": "X-Request-Id, X-Lasso-Request-Id, X-Lasso-Meta, Retry-After",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %s: got %q, want %q", what, k, got, v)
		}
	}
	if id := h.Get("X-Request-Id"); len(id) < 20 {
		t.Errorf("%s: X-Request-Id %q, want an id", what, id)
	}
}

func TestCORSEverywhere(t *testing.T) {
	r := newRig(t, nil)
	tests := []struct {
		method, target, ct, body string
		status                   int
	}{
		{"POST", "/rpc/eth", "application/json", blockNumber, 200},
		{"POST", "/rpc/eth", "application/json", `{"jsonrpc":"2.0","method":"n"}`, 204},
		{"GET", "/api/health", "", "", 200},
		{"GET", "/api/chains", "", "", 200},
		{"GET", "/nope", "", "", 404},
		{"POST", "/rpc/a/b/c", "application/json", blockNumber, 404},
		{"POST", "/rpc/nochain", "application/json", blockNumber, 400},
		{"POST", "/rpc/eth", "text/plain", blockNumber, 415},
		{"GET", "/rpc/eth", "", "", 405},
		{"POST", "/rpc/eth", "application/json", "{", 400},
		{"OPTIONS", "/rpc/eth", "", "", 204},
		{"OPTIONS", "/anything/at/all", "", "", 204},
	}
	for _, tt := range tests {
		w := r.do(tt.method, tt.target, tt.body, "Content-Type", tt.ct)
		what := tt.method + " " + tt.target
		if w.Code != tt.status {
			t.Errorf("%s: status %d, want %d", what, w.Code, tt.status)
		}
		wantCORS(t, what, w.Header())
		if tt.status != 204 && !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
			t.Errorf("%s: Content-Type %q, want JSON", what, w.Header().Get("Content-Type"))
		}
	}
}

func TestPreflight(t *testing.T) {
	r := newRig(t, nil)
	w := r.do(http.MethodOptions, "/rpc/eth", "",
		"Origin", "https://app.example",
		"Access-Control-Request-Method", "POST",
		"Access-Control-Request-Headers", "content-type, x-lasso-provider")
	if w.Code != http.StatusNoContent || w.Body.Len() != 0 {
		t.Errorf("got %d %q, want 204 and no body", w.Code, w.Body)
	}
	if got := w.Header().Get("Access-Control-Max-Age"); got != "86400" {
		t.Errorf("Access-Control-Max-Age: got %q, want 86400", got)
	}
	if n := len(r.pipe.Calls()); n != 0 {
		t.Errorf("preflight reached the pipeline %d times", n)
	}
	// Max-Age belongs to the preflight only.
	if got := r.post("/rpc/eth", blockNumber).Header().Get("Access-Control-Max-Age"); got != "" {
		t.Errorf("POST: Access-Control-Max-Age %q, want none", got)
	}
}

func TestHealth(t *testing.T) {
	tests := []struct {
		nodeID  string
		regions []string
	}{
		{"us-east-1", []string{"us"}},
		{"eu-west-2", []string{"eu"}},
		{"local", []string{}},
		{"", []string{}},
	}
	for _, tt := range tests {
		r := newRig(t, func(o *Options) { o.NodeID = tt.nodeID; o.Version = "1.2.3" })
		r.clock.Advance(90*time.Second + 700*time.Millisecond)
		w := r.do(http.MethodGet, "/api/health", "")
		if w.Code != http.StatusOK {
			t.Fatalf("status %d", w.Code)
		}
		var got struct {
			Status    string  `json:"status"`
			Timestamp string  `json:"timestamp"`
			Uptime    float64 `json:"uptime_seconds"`
			Version   string  `json:"version"`
			NodeID    *string `json:"node_id"`
			Cluster   struct {
				Enabled bool             `json:"enabled"`
				Regions *json.RawMessage `json:"regions"`
				Status  string           `json:"status"`
				Total   int              `json:"nodes_total"`
			} `json:"cluster"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatalf("%v: %s", err, w.Body)
		}
		if got.Status != "healthy" || got.Uptime != 90 || got.Version != "1.2.3" ||
			got.NodeID == nil || *got.NodeID != tt.nodeID {
			t.Errorf("NodeID %q: got %s", tt.nodeID, w.Body)
		}
		if want := epoch.Add(90*time.Second + 700*time.Millisecond).Format(time.RFC3339Nano); got.Timestamp != want {
			t.Errorf("timestamp: got %q, want %q", got.Timestamp, want)
		}
		if got.Cluster.Enabled || got.Cluster.Status != "standalone" || got.Cluster.Total != 1 {
			t.Errorf("cluster: got %s", w.Body)
		}
		wantRegions, _ := json.Marshal(tt.regions)
		if got.Cluster.Regions == nil || string(*got.Cluster.Regions) != string(wantRegions) {
			t.Errorf("NodeID %q: regions got %s, want %s", tt.nodeID, w.Body, wantRegions)
		}
	}
}

func TestChains(t *testing.T) {
	r := newRig(t, nil)
	w := r.do(http.MethodGet, "/api/chains", "")
	want := `{"chains":[` +
		`{"chain_id":"1","name":"Ethereum Mainnet","chain_name":"ethereum","supported":true},` +
		`{"chain_id":"8453","name":"Base","chain_name":"base","supported":true}]}`
	if w.Code != http.StatusOK || w.Body.String() != want {
		t.Errorf("got %d %s, want 200 %s", w.Code, w.Body, want)
	}

	// The list follows the file, not alphabetical order.
	cfg := loadConfig(t, map[string]string{"p/public.yml": "---\nname: P\nslug: public\n---\nchains:\n" +
		"  zora:\n    chain_id: 7777777\n    name: Zora\n    providers:\n      - id: z\n        url: https://z.example\n" +
		"  arbitrum:\n    chain_id: 42161\n    name: Arbitrum One\n    providers:\n      - id: a\n        url: https://a.example\n"})
	r = newRig(t, func(o *Options) { o.Config = func() *profile.Config { return cfg } })
	w = r.do(http.MethodGet, "/api/chains", "")
	want = `{"chains":[` +
		`{"chain_id":"7777777","name":"Zora","chain_name":"zora","supported":true},` +
		`{"chain_id":"42161","name":"Arbitrum One","chain_name":"arbitrum","supported":true}]}`
	if w.Body.String() != want {
		t.Errorf("got %s, want %s", w.Body, want)
	}

	// Without a public profile the list is empty, not null.
	team := loadConfig(t, map[string]string{"p/team.yml": teamYAML})
	r = newRig(t, func(o *Options) { o.Config = func() *profile.Config { return team } })
	if w := r.do(http.MethodGet, "/api/chains", ""); w.Body.String() != `{"chains":[]}` {
		t.Errorf("no public profile: got %s, want {\"chains\":[]}", w.Body)
	}
}

// The Config is read per request, so a reload needs no restart.
func TestConfigReload(t *testing.T) {
	cfg := testConfig(t)
	current := cfg
	r := newRig(t, func(o *Options) { o.Config = func() *profile.Config { return current } })
	if w := r.post("/rpc/profile/team/ethereum", blockNumber); w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	current = loadConfig(t, map[string]string{"p/public.yml": publicYAML})
	w := r.post("/rpc/profile/team/ethereum", blockNumber)
	wantRPCError(t, w, http.StatusNotFound, -32000, "Profile 'team' not found")
}

func TestNotFound(t *testing.T) {
	r := newRig(t, nil)
	for _, tc := range []struct{ method, target string }{
		{"GET", "/"},
		{"GET", "/api/nope"},
		{"GET", "/rpc"},
		{"POST", "/rpc"},
		{"POST", "/api/health"},
		{"POST", "/api/chains"},
		{"GET", "/api/health/"},
		{"GET", "/ws/rpc/eth"},
	} {
		w := r.do(tc.method, tc.target, "", "Content-Type", "application/json")
		if w.Code != http.StatusNotFound || w.Body.String() != `{"error":"Not found"}` {
			t.Errorf("%s %s: got %d %s, want 404 {\"error\":\"Not found\"}", tc.method, tc.target, w.Code, w.Body)
		}
		if ct := w.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("%s %s: Content-Type %q", tc.method, tc.target, ct)
		}
	}
	if n := len(r.pipe.Calls()); n != 0 {
		t.Errorf("pipeline got %d calls", n)
	}
}

var freshID = regexp.MustCompile(`^[A-Za-z0-9_-]{20}$`)

func TestRequestID(t *testing.T) {
	const allowed = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=.:"
	keep := []string{
		strings.Repeat("a", 20),
		strings.Repeat("Z", 200),
		allowed,
		"0f8fad5b-d9cb-469f-a165-70867728950e",
		"Root=1-67891233-abcdef012345678912345678", // an AWS trace id
		"abc.def:ghi/jkl+mno=pq_rs",
	}
	for _, id := range keep {
		if got := requestID(id); got != id {
			t.Errorf("requestID(%q): got %q, want it kept", id, got)
		}
	}
	replace := []string{
		"",
		strings.Repeat("a", 19),
		strings.Repeat("a", 201),
		"has space in it 1234567",
		"has!bang!in!it!1234567",
		"quote\"d-request-id-1234",
		"newline\nrequest-id-123456",
		"ünïcödé-request-id-12345",
		"semi;colon-request-id-12",
		strings.Repeat("a", 19) + "\x00",
	}
	for _, id := range replace {
		got := requestID(id)
		if got == id || !freshID.MatchString(got) {
			t.Errorf("requestID(%q): got %q, want a fresh 20-character base64url id", id, got)
		}
		if requestID(got) != got {
			t.Errorf("a fresh id %q is not itself a valid id", got)
		}
	}
	seen := map[string]bool{}
	for range 1000 {
		id := requestID("")
		if seen[id] {
			t.Fatalf("fresh id %q repeated", id)
		}
		seen[id] = true
	}
}

func TestRequestIDHeader(t *testing.T) {
	r := newRig(t, nil)
	const given = "client-supplied-request-id"
	for _, target := range []string{"/api/health", "/nope"} {
		if got := r.do(http.MethodGet, target, "", "X-Request-Id", given).Header().Get("X-Request-Id"); got != given {
			t.Errorf("GET %s: X-Request-Id got %q, want %q", target, got, given)
		}
	}
	a := r.do(http.MethodGet, "/api/health", "").Header().Get("X-Request-Id")
	b := r.do(http.MethodGet, "/api/health", "").Header().Get("X-Request-Id")
	if !freshID.MatchString(a) || a == b {
		t.Errorf("fresh ids %q and %q: want two different 20-character ids", a, b)
	}
}

func TestNewDefaults(t *testing.T) {
	h := New(Options{Config: func() *profile.Config { return nil }})
	o := h.opts
	if o.MaxBodyBytes != 8_000_000 || o.MaxBatch != 50 || o.BatchConcurrency != 4 ||
		o.InflightBytes != 128<<20 || o.DefaultStrategy != "load_balanced" || o.Log == nil || o.Now == nil {
		t.Errorf("defaults: got %+v", o)
	}
	if h.budget.limit != 128<<20 {
		t.Errorf("budget limit %d, want 128 MiB", h.budget.limit)
	}
}
