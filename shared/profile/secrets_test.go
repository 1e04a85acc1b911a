package profile_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/lasso-serverless/lasso/shared/profile"
)

func TestSecrets(t *testing.T) {
	t.Parallel()
	const src = `---
name: T
slug: t
---
chains:
  eth:
    chain_id: 1
    providers:
      - id: env
        url: https://rpc.example/v2/${ALCHEMY}
        ws_url: wss://rpc.example/${SHORT}/ws
      - id: userinfo
        url: https://operator1:passw0rd-long@rpc2.example/path?token=query-secret-value&n=1&k=abc
      - id: keyed
        url: https://rpc3.example/rpc
        ws_url: wss://rpc3.example/0123456789abcdef0123
        api_key: apikey-secret
        headers:
          X-Client: lasso-client
          X-Token: token-header-value
          X-Api-Key: ${HDR}
        auth_headers:
          X-Auth: authhdr-secret
          X-Short: tiny
      - id: short
        url: https://rpc4.example/
        api_key: abc12
`
	cfg, ps := load(t, "dir/t.yml", src, envLookup(map[string]string{
		"ALCHEMY": "alchemy-secret-value",
		"SHORT":   "xyz",
		"HDR":     "env-header-value",
	}))
	if ps != nil {
		t.Fatalf("Load: got problems\n%v\nwant none", ps)
	}
	secrets := cfg.Secrets()
	tests := []struct {
		name, value string
		want        bool
	}{
		{"substituted env value", "alchemy-secret-value", true},
		{"substituted header env value", "env-header-value", true},
		{"URL password", "passw0rd-long", true},
		{"URL user name", "operator1", true},
		{"query value", "query-secret-value", true},
		{"long path segment", "0123456789abcdef0123", true},
		{"api_key", "apikey-secret", true},
		{"sensitive header", "token-header-value", true},
		{"auth_headers value", "authhdr-secret", true},
		{"short env value", "xyz", false},
		{"short api_key", "abc12", false},
		{"short auth header", "tiny", false},
		{"short query value", "abc", false},
		{"short path segment", "path", false},
		{"plain header", "lasso-client", false},
		{"host", "rpc2.example", false},
		{"bearer prefix", "Bearer apikey-secret", false},
	}
	for _, tt := range tests {
		if got := slices.Contains(secrets, tt.value); got != tt.want {
			t.Errorf("%s: Secrets() contains %q: got %v, want %v", tt.name, tt.value, got, tt.want)
		}
	}
	for i, s := range secrets {
		if len(s) < 6 {
			t.Errorf("Secrets()[%d] = %q: got %d bytes, want at least 6", i, s, len(s))
		}
		if i > 0 && len(s) > len(secrets[i-1]) {
			t.Errorf("Secrets(): got %q after %q, want longest first", s, secrets[i-1])
		}
	}
	if n := len(secrets); n != len(slices.Compact(slices.Sorted(slices.Values(secrets)))) {
		t.Errorf("Secrets(): got duplicates in %q, want each value once", secrets)
	}
}

// TestProblemsHideSecrets checks that a rejected URL is shown redacted: the
// key it holds appears neither in the problem nor in the error text.
func TestProblemsHideSecrets(t *testing.T) {
	t.Parallel()
	const secret = "supersecretkey12345"
	tests := []struct {
		name, field, value, shown string
	}{
		{"key from env in a ws url", "url", "ws://h.example/v2/${KEY}", `"ws://h.example/<redacted>"`},
		{"literal key in path", "url", "ftp://h.example/v2/" + secret, `"ftp://h.example/<redacted>"`},
		{"key in user info", "ws_url", "https://user:" + secret + "@h.example", `"https://h.example/<redacted>"`},
		{"key in query", "ws_url", "http://h.example?apikey=" + secret, `"http://h.example/<redacted>"`},
		{"key in host-less url", "url", "https:" + secret, `"<redacted>"`},
		{"key in unparsable url", "url", "https://h.example/%zz" + secret, `"<redacted>"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := doc("", "", "") + "      - id: b\n        " + tt.field + ": \"" + tt.value + "\" #<\n"
			_, ps := load(t, "dir/t.yml", src, envLookup(map[string]string{"KEY": secret}))
			if ps == nil {
				t.Fatal("Load: got no problems, want a bad URL")
			}
			wantProblem(t, ps, "dir/t.yml", "chains.eth.providers[1]."+tt.field, lineOf(t, src), "must be an absolute", "got "+tt.shown)
			if strings.Contains(ps.Error(), secret) {
				t.Errorf("Error(): got %q, want no %q in it", ps.Error(), secret)
			}
		})
	}
}

func TestRedactURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"host only", "https://eth.llamarpc.com", "https://eth.llamarpc.com"},
		{"root path", "https://eth.llamarpc.com/", "https://eth.llamarpc.com"},
		{"port kept", "http://localhost:8545", "http://localhost:8545"},
		{"path hidden", "https://eth-mainnet.g.alchemy.com/v2/KEY", "https://eth-mainnet.g.alchemy.com/<redacted>"},
		{"ws path hidden", "wss://mainnet.infura.io/ws/v3/KEY", "wss://mainnet.infura.io/<redacted>"},
		{"query hidden", "https://h.example?key=KEY", "https://h.example/<redacted>"},
		{"query after root hidden", "https://h.example/?key=KEY", "https://h.example/<redacted>"},
		{"user info hidden", "https://user:KEY@h.example", "https://h.example/<redacted>"},
		{"user only hidden", "https://KEY@h.example:443", "https://h.example:443/<redacted>"},
		{"fragment dropped", "https://h.example#KEY", "https://h.example"},
		{"no host", "h.example/v2/KEY", "<redacted>"},
		{"opaque", "mailto:KEY", "<redacted>"},
		{"unparsable", "https://h.example/%zzKEY", "<redacted>"},
		{"env reference", "${OWN_NODE_URL}", "<redacted>"},
	}
	for _, tt := range tests {
		if got := profile.RedactURL(tt.in); got != tt.want {
			t.Errorf("%s: RedactURL(%q): got %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestProviderRedacted(t *testing.T) {
	t.Parallel()
	p := mustProfile(t, "dir/t.yml", doc("", "", "")+`      - id: b
        url: https://h.example/v2/${KEY}
        ws_url: wss://other.example
      - id: c
        ws_url: wss://ws.example/v3/${KEY}
`, envLookup(map[string]string{"KEY": "k-0123456789abcdef"}))
	tests := []struct{ id, want string }{
		{"a", "https://a.example"},
		{"b", "https://h.example/<redacted>"},
		{"c", "wss://ws.example/<redacted>"},
	}
	for _, tt := range tests {
		pr, _ := p.Chains[0].Provider(tt.id)
		if pr.Redacted != tt.want {
			t.Errorf("provider %s: got Redacted %q, want %q", tt.id, pr.Redacted, tt.want)
		}
	}
}

func TestUpstreamHeaders(t *testing.T) {
	t.Parallel()
	ct := profile.Header{Name: "content-type", Value: "application/json"}
	acc := profile.Header{Name: "accept", Value: "application/json"}
	tests := []struct {
		name     string
		provider string
		env      map[string]string
		want     []profile.Header
	}{
		{"defaults only", "", nil, []profile.Header{ct, acc}},
		{"api_key", "api_key: tok", nil, []profile.Header{ct, acc, {Name: "authorization", Value: "Bearer tok"}}},
		{"api_key from env", "api_key: ${TOKEN}", map[string]string{"TOKEN": "env-token-123"},
			[]profile.Header{ct, acc, {Name: "authorization", Value: "Bearer env-token-123"}}},
		{"full order", `api_key: tok
headers:
  X-B: b
  X-A: a
auth_headers:
  X-Auth: s
  Authorization: Basic zzz`, nil, []profile.Header{
			ct, acc,
			{Name: "authorization", Value: "Bearer tok"},
			{Name: "x-a", Value: "a"},
			{Name: "x-b", Value: "b"},
			{Name: "authorization", Value: "Basic zzz"},
			{Name: "x-auth", Value: "s"},
		}},
		{"header overriding a default comes after it", "headers: {Content-Type: text/plain}", nil,
			[]profile.Header{ct, acc, {Name: "content-type", Value: "text/plain"}}},
		{"header value from env", "headers: {X-Key: \"k=${K}\"}", map[string]string{"K": "v"},
			[]profile.Header{ct, acc, {Name: "x-key", Value: "k=v"}}},
		{"empty header value", "headers: {X-Empty: \"\"}", nil, []profile.Header{ct, acc, {Name: "x-empty", Value: ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := mustProfile(t, "dir/t.yml", doc("", "", tt.provider), envLookup(tt.env))
			if got := p.Chains[0].Providers[0].Headers; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Headers: got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestInstanceID(t *testing.T) {
	t.Parallel()
	// provider builds profile slug with one provider "a" on chain eth.
	provider := func(slug, lines string) string {
		return strings.Replace(doc("", "", lines), "slug: t", "slug: "+slug, 1)
	}
	tests := []struct {
		name string
		a, b string // provider lines in profiles a and b
		same bool
	}{
		{"same url", "", "", true},
		{"same url and api_key", "api_key: key-1", "api_key: key-1", true},
		{"same credentials", "credentials: {user: u, pass: p}", "credentials: {pass: p, user: u}", true},
		{"sharing_mode auto is the default", "sharing_mode: auto", "", true},
		{"different api_key", "api_key: key-1", "api_key: key-2", false},
		{"different credentials", "credentials: {user: u}", "credentials: {user: v}", false},
		{"different auth header", "auth_headers: {X-K: one}", "auth_headers: {X-K: two}", false},
		{"different ws_url", "ws_url: wss://a.example", "ws_url: wss://b.example", false},
		{"both isolated", "sharing_mode: isolated", "sharing_mode: isolated", false},
		{"one isolated", "sharing_mode: isolated", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, ps := loadFiles(t, map[string]string{"d/a.yml": provider("a", tt.a), "d/b.yml": provider("b", tt.b)}, nolookup)
			if ps != nil {
				t.Fatalf("Load: got problems\n%v\nwant none", ps)
			}
			id := func(slug string) string {
				p, _ := cfg.Profile(slug)
				return p.Chains[0].Providers[0].InstanceID
			}
			a, b := id("a"), id("b")
			if len(a) != 16 || strings.Trim(a, "0123456789abcdef") != "" {
				t.Errorf("InstanceID: got %q, want 16 hex digits", a)
			}
			if got := a == b; got != tt.same {
				t.Errorf("InstanceID equal: got %v (%s, %s), want %v", got, a, b, tt.same)
			}
		})
	}
}

func TestInstanceIDIsolatedWithinProfile(t *testing.T) {
	t.Parallel()
	src := doc("", "", "") + "  base:\n    chain_id: 8453\n    providers:\n      - id: a\n        url: https://a.example\n        sharing_mode: isolated\n"
	p := mustProfile(t, "dir/t.yml", src, nolookup)
	eth, base := p.Chains[0].Providers[0], p.Chains[1].Providers[0]
	if !base.Isolated || eth.Isolated {
		t.Fatalf("Isolated: got eth %v base %v, want false true", eth.Isolated, base.Isolated)
	}
	if eth.InstanceID == base.InstanceID {
		t.Errorf("InstanceID: got %s for both, want isolated to differ", eth.InstanceID)
	}
	again := mustProfile(t, "dir/t.yml", src, nolookup)
	if got := again.Chains[1].Providers[0].InstanceID; got != base.InstanceID {
		t.Errorf("InstanceID on reload: got %s, want %s (stable)", got, base.InstanceID)
	}
}
