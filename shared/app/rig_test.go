package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/app"
	"github.com/lasso-serverless/lasso/shared/rpcclient/providertest"
)

// rig is a router built by app.New (the real wiring, the real HTTP client)
// in front of scripted providers on loopback.
type rig struct {
	t        testing.TB
	app      *app.App
	handler  http.Handler
	logs     *syncBuffer
	provider map[string]*providertest.Provider
}

// testProvider declares one provider of the rig's "ethereum" chain.
type testProvider struct {
	id       string
	priority int
	behave   providertest.Behaviour
	urlPath  string // appended to the provider's URL (to carry a fake key)
	extra    string // extra YAML lines for the provider entry
	// url, when set, is the provider's endpoint (an upstream the scripted
	// providers cannot play); no scripted provider is started for it.
	url string
}

// rigOptions are newRigWith's optional parts; the zero value builds what
// newRig builds.
type rigOptions struct {
	env   map[string]string // variables the profile may reference
	clock func() time.Time  // app.Options.Clock; nil is real time
	seed  uint64            // app.Options.Seed; 0 draws one
	// chain is extra YAML for the ethereum chain entry (4-space indent).
	chain string
	// config sets environment variables of the router's own config.
	config map[string]string
}

// newRig builds a public profile with one chain, ethereum (id 1, alias eth),
// plus a second chain, base (8453), served by the first provider.
func newRig(t testing.TB, env map[string]string, providers ...testProvider) *rig {
	t.Helper()
	return newRigWith(t, rigOptions{env: env}, providers...)
}

// newRigWith is newRig with options.
func newRigWith(t testing.TB, o rigOptions, providers ...testProvider) *rig {
	t.Helper()
	env := o.env
	r := &rig{t: t, logs: &syncBuffer{}, provider: map[string]*providertest.Provider{}}
	var yml strings.Builder
	// Client limits high enough never to bite: the rig is about routing
	// (ratelimit_test.go tests the limits), and benchmarks send one client's
	// calls as fast as they go.
	yml.WriteString("---\nname: Test\nslug: public\nrps_limit: 1000000000\nburst_limit: 1000000000\n---\nchains:\n  ethereum:\n    chain_id: 1\n    url_aliases: [eth]\n" + o.chain + "    providers:\n")
	urls := make([]string, len(providers))
	for i, p := range providers {
		urls[i] = p.url
		if p.url == "" {
			pp := providertest.New(t, p.behave)
			r.provider[p.id] = pp
			urls[i] = pp.URL()
		}
		fmt.Fprintf(&yml, "      - id: %s\n        priority: %d\n        url: %s%s\n%s", p.id, p.priority, urls[i], p.urlPath, p.extra)
	}
	fmt.Fprintf(&yml, "  base:\n    chain_id: 8453\n    providers:\n      - id: %s\n        url: %s\n", providers[0].id, urls[0])
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "public.yml"), []byte(yml.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	// Priority order makes failover deterministic; the default,
	// load_balanced, shuffles.
	cfg, err := app.ConfigFromEnv(func(k string) string {
		env := map[string]string{"LASSO_DEFAULT_STRATEGY": "priority", "LOG_LEVEL": "debug"}
		maps.Copy(env, o.config)
		if _, bench := t.(*testing.B); bench {
			env["LOG_LEVEL"] = "info" // what production runs
		}
		return env[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.ProfilesDir = dir
	var logOut io.Writer = r.logs
	if _, bench := t.(*testing.B); bench {
		logOut = io.Discard // a growing buffer would be measured too
	}
	a, err := app.New(cfg, app.Options{
		LogOutput: logOut,
		Lookup:    func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Clock:     o.clock,
		Seed:      o.seed,
	})
	if err != nil {
		t.Fatal(err)
	}
	r.app, r.handler = a, a.Handler()
	return r
}

// reply is what a client got.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r *rig) post(path, body string, headers ...string) reply {
	r.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return r.do(req)
}

func (r *rig) do(req *http.Request) reply {
	rec := httptest.NewRecorder()
	r.handler.ServeHTTP(rec, req)
	return reply{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// object decodes a single JSON-RPC response.
func (rp reply) object(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rp.body, &m); err != nil {
		t.Fatalf("response %q is not a JSON object: %v", rp.body, err)
	}
	return m
}

// errorOf returns code and message of a single error response.
func (rp reply) errorOf(t testing.TB) (int, string) {
	t.Helper()
	e, ok := rp.object(t)["error"].(map[string]any)
	if !ok {
		t.Fatalf("response %s has no error", rp.body)
	}
	return int(e["code"].(float64)), e["message"].(string)
}

// syncBuffer is a log sink safe for the router's concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// lines returns the JSON log lines decoded.
func (s *syncBuffer) lines(t testing.TB) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(s.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q is not JSON: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

func ok(result string) providertest.Behaviour { return providertest.Result(result) }
