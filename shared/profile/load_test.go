package profile_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lasso-serverless/lasso/shared/profile"
)

func TestShippedProfilesLoad(t *testing.T) {
	t.Parallel()
	var asked []string
	cfg, err := profile.LoadDir("../../profiles", func(name string) (string, bool) {
		asked = append(asked, name)
		return "", false
	})
	if err != nil {
		t.Fatalf("LoadDir(../../profiles): got error\n%v\nwant none", err)
	}
	if len(asked) > 0 {
		t.Errorf("LoadDir(../../profiles) looked up %v, want no environment variable", asked)
	}
	var slugs []string
	for _, p := range cfg.Profiles() {
		slugs = append(slugs, p.Slug)
	}
	if !slices.Equal(slugs, []string{"public"}) {
		t.Fatalf("profiles: got %v, want [public] (examples/ is a subdirectory)", slugs)
	}
	p, _ := cfg.Profile("public")
	if got, want := p.File, filepath.Join("../../profiles", "public.yml"); got != want {
		t.Errorf("File: got %q, want %q", got, want)
	}
	if len(cfg.Secrets()) != 0 {
		t.Errorf("Secrets of keyless profiles: got %d values, want none", len(cfg.Secrets()))
	}
	want := []struct {
		key string
		id  int64
	}{{"ethereum", 1}, {"base", 8453}, {"arbitrum", 42161}, {"optimism", 10}, {"polygon", 137}}
	if len(p.Chains) != len(want) {
		t.Fatalf("chains: got %d, want %d", len(p.Chains), len(want))
	}
	for i, w := range want {
		t.Run(w.key, func(t *testing.T) {
			ch := p.Chains[i]
			if ch.Key != w.key || ch.ID != w.id {
				t.Fatalf("chain %d: got %s (%d), want %s (%d)", i, ch.Key, ch.ID, w.key, w.id)
			}
			if got := mustChain(t, p, strconv.FormatInt(w.id, 10)); got != ch {
				t.Errorf("Chain(%d): got %s, want %s", w.id, got.Key, w.key)
			}
			if n := len(ch.Providers); n < 2 || n > 4 {
				t.Errorf("providers: got %d, want 2 to 4", n)
			}
			for _, pr := range ch.Providers {
				if pr.URL == "" || strings.Contains(pr.URL+pr.WSURL, "${") {
					t.Errorf("provider %s: got url %q ws_url %q, want a literal url", pr.ID, pr.URL, pr.WSURL)
				}
				if !strings.HasPrefix(pr.URL, "https://") {
					t.Errorf("provider %s: got url %q, want https", pr.ID, pr.URL)
				}
			}
		})
	}
}

func TestExampleProfileNeedsItsVariables(t *testing.T) {
	t.Parallel()
	full := map[string]string{
		"ALCHEMY_API_KEY": "alchemy-key-0123456789",
		"INFURA_API_KEY":  "infura-key-0123456789",
		"OWN_NODE_URL":    "https://node.internal.example:8545/rpc",
		"OWN_NODE_TOKEN":  "own-node-token-xyz",
	}
	without := func(names ...string) map[string]string {
		m := map[string]string{}
		for k, v := range full {
			if !slices.Contains(names, k) {
				m[k] = v
			}
		}
		return m
	}
	const file = "../../profiles/examples/example.yml"
	tests := []struct {
		name string
		env  map[string]string
		want map[string]string // problem path -> variable it must name
	}{
		{"empty environment", nil, map[string]string{
			"chains.ethereum.providers[0].url":     "${ALCHEMY_API_KEY}",
			"chains.ethereum.providers[0].ws_url":  "${ALCHEMY_API_KEY}",
			"chains.ethereum.providers[1].url":     "${INFURA_API_KEY}",
			"chains.ethereum.providers[1].ws_url":  "${INFURA_API_KEY}",
			"chains.ethereum.providers[2].url":     "${OWN_NODE_URL}",
			"chains.ethereum.providers[2].api_key": "${OWN_NODE_TOKEN}",
			"chains.base.providers[0].url":         "${ALCHEMY_API_KEY}",
		}},
		{"only the node token missing", without("OWN_NODE_TOKEN"), map[string]string{
			"chains.ethereum.providers[2].api_key": "${OWN_NODE_TOKEN}",
		}},
		{"alchemy key missing", without("ALCHEMY_API_KEY"), map[string]string{
			"chains.ethereum.providers[0].url":    "${ALCHEMY_API_KEY}",
			"chains.ethereum.providers[0].ws_url": "${ALCHEMY_API_KEY}",
			"chains.base.providers[0].url":        "${ALCHEMY_API_KEY}",
		}},
		{"everything set", full, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := profile.LoadDir("../../profiles/examples", envLookup(tt.env))
			ps := asProblems(t, cfg, err)
			if len(ps) != len(tt.want) {
				t.Fatalf("problems: got %d\n%v\nwant %d", len(ps), ps, len(tt.want))
			}
			for path, v := range tt.want {
				wantProblem(t, ps, file, path, -1, "unresolved "+v, "(profile example, chain ")
			}
			if tt.want != nil {
				return
			}
			p, ok := cfg.Profile("example")
			if !ok {
				t.Fatal("Profile(example): got not found, want it")
			}
			eth := mustChain(t, p, "eth")
			alchemy, _ := eth.Provider("alchemy")
			if got, want := alchemy.URL, "https://eth-mainnet.g.alchemy.com/v2/alchemy-key-0123456789"; got != want {
				t.Errorf("alchemy url: got %q, want %q", got, want)
			}
			own, _ := eth.Provider("own-node")
			if own.URL != full["OWN_NODE_URL"] || !own.Isolated {
				t.Errorf("own-node: got url %q isolated %v, want %q isolated", own.URL, own.Isolated, full["OWN_NODE_URL"])
			}
			if got := eth.Providers[0].ID; got != "own-node" {
				t.Errorf("first provider: got %s, want own-node (priority 5)", got)
			}
			for _, v := range []string{full["ALCHEMY_API_KEY"], full["INFURA_API_KEY"], full["OWN_NODE_TOKEN"]} {
				if !slices.Contains(cfg.Secrets(), v) {
					t.Errorf("Secrets: got %q, want it to contain %q", cfg.Secrets(), v)
				}
			}
		})
	}
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// valid returns a minimal valid profile file for slug.
func valid(slug string) string {
	return strings.Replace(doc("", "", ""), "slug: t", "slug: "+slug, 1)
}

func TestLoadDirSelectsFiles(t *testing.T) {
	t.Parallel()
	const broken = "this is: [not a profile\n"
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"public.yml":       valid("public"),
		"zeta.yml":         valid("zeta"),
		"_draft.yml":       broken,
		".hidden.yml":      broken,
		"other.yaml":       broken,
		"notes.txt":        broken,
		"sub/nested.yml":   broken,
		"dir.yml/keep.txt": broken, // a directory named like a profile
	})
	cfg, err := profile.LoadDir(dir, nolookup)
	if err != nil {
		t.Fatalf("LoadDir: got error\n%v\nwant none", err)
	}
	var got []string
	for _, p := range cfg.Profiles() {
		got = append(got, p.Slug+"="+filepath.Base(p.File))
	}
	if want := []string{"public=public.yml", "zeta=zeta.yml"}; !slices.Equal(got, want) {
		t.Errorf("profiles: got %v, want %v", got, want)
	}
}

func TestLoadDirProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		link  string            // a dangling symlink named so, when set
		want  map[string]string // file (relative to dir; "." for dir) -> message part
	}{
		{"empty directory", nil, "", map[string]string{".": "no profile files"}},
		{"only skipped files", map[string]string{"_a.yml": "x", ".b.yml": "x", "c.yaml": "x"}, "",
			map[string]string{".": "no profile files"}},
		{"problems of every file", map[string]string{
			"a.yml": strings.Replace(valid("a"), "name: T\n", "", 1),
			"b.yml": valid("c"),
		}, "", map[string]string{"a.yml": "is required", "b.yml": `"c" must equal the file name "b"`}},
		{"unreadable file", map[string]string{"a.yml": valid("a")}, "gone.yml",
			map[string]string{"gone.yml": "no such file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeFiles(t, dir, tt.files)
			if tt.link != "" {
				if err := os.Symlink(filepath.Join(dir, "missing"), filepath.Join(dir, tt.link)); err != nil {
					t.Skipf("symlink: %v", err)
				}
			}
			cfg, err := profile.LoadDir(dir, nolookup)
			ps := asProblems(t, cfg, err)
			if len(ps) != len(tt.want) {
				t.Fatalf("problems: got %d\n%v\nwant %d", len(ps), ps, len(tt.want))
			}
			for rel, msg := range tt.want {
				file := filepath.Join(dir, rel)
				found := false
				for _, p := range ps {
					if p.File == file && strings.Contains(p.Msg, msg) {
						found = true
					}
				}
				if !found {
					t.Errorf("got problems\n%v\nwant one of file %s containing %q", ps, file, msg)
				}
			}
		})
	}
}

func TestLoadDirMissingDirectory(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "nope")
	cfg, err := profile.LoadDir(dir, nolookup)
	ps := asProblems(t, cfg, err)
	if len(ps) != 1 || ps[0].File != dir || !strings.Contains(ps[0].Msg, "cannot read profiles directory") {
		t.Errorf("got %v, want one problem of %s saying it cannot be read", ps, dir)
	}
}

func TestLegacyFileWithoutFrontmatter(t *testing.T) {
	t.Parallel()
	const body = "chains:\n  eth:\n    chain_id: 1\n    providers:\n      - id: a\n        url: https://a.example\n"
	tests := []struct {
		name      string
		file, src string
		slug      string
		rps, burs int
	}{
		{"slug defaults to public", "dir/public.yml", "name: Legacy\n" + body, "public", 100, 500},
		{"top-level metadata", "dir/legacy.yml",
			"name: Legacy\nslug: legacy\nrps_limit: 7\nburst_limit: 9\nlogo: l.png\nunlisted: true\ntype: standard\n" + body,
			"legacy", 7, 9},
		{"legacy limit names", "dir/public.yml", "name: L\ndefault_rps_limit: 3\ndefault_burst_limit: 4\n" + body, "public", 3, 4},
		{"no closing frontmatter line", "dir/public.yml", "---\nname: L\n" + body, "public", 100, 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := mustProfile(t, tt.file, tt.src, nolookup)
			if p.Slug != tt.slug || p.RPSLimit != tt.rps || p.BurstLimit != tt.burs {
				t.Errorf("got slug %q rps %d burst %d, want %q %d %d", p.Slug, p.RPSLimit, p.BurstLimit, tt.slug, tt.rps, tt.burs)
			}
			if len(p.Chains) != 1 || p.Chains[0].ID != 1 {
				t.Errorf("chains: got %d, want chain eth (1)", len(p.Chains))
			}
		})
	}
}

func TestLegacyFileProblems(t *testing.T) {
	t.Parallel()
	const body = "chains:\n  eth:\n    chain_id: 1\n    providers:\n      - id: a\n        url: https://a.example\n"
	tests := []struct {
		name, file, src, path, msg string
	}{
		{"default slug must match the file name", "dir/legacy.yml", "name: L\n" + body, "slug", `"public" must equal the file name "legacy"`},
		{"unknown top-level key, file lines", "dir/public.yml", "name: L\ncolour: red #<\n" + body, "colour", "unknown key"},
		{"chain lines are file lines", "dir/public.yml", "name: L\n" + strings.Replace(body, "chain_id: 1", "chain_id: x #<", 1),
			"chains.eth.chain_id", "must be an integer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, ps := load(t, tt.file, tt.src, nolookup)
			wantProblem(t, ps, tt.file, tt.path, lineOf(t, tt.src), tt.msg)
		})
	}
}

func TestFrontmatterLines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src, path string
	}{
		{"frontmatter key", doc("colour: red #<", "", ""), "colour"},
		{"body key after frontmatter", doc("# a comment\n# another", "colour: red #<", ""), "chains.eth.colour"},
		{"CRLF line ends", strings.ReplaceAll(doc("", "", "colour: red #<"), "\n", "\r\n"), "chains.eth.providers[0].colour"},
		{"blank lines before chains", strings.Replace(doc("", "", "priority: x #<"), "---\nchains", "---\n\n\n# c\nchains", 1),
			"chains.eth.providers[0].priority"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, ps := load(t, "dir/t.yml", tt.src, nolookup)
			wantProblem(t, ps, "dir/t.yml", tt.path, lineOf(t, tt.src))
		})
	}
}

func TestProfileLookup(t *testing.T) {
	t.Parallel()
	cfg, ps := loadFiles(t, map[string]string{"d/public.yml": valid("public"), "d/b.yml": valid("b"), "d/a.yml": valid("a")}, nolookup)
	if ps != nil {
		t.Fatalf("Load: got problems\n%v\nwant none", ps)
	}
	tests := []struct {
		slug, want string
	}{
		{"public", "public"},
		{"default", "public"},
		{"a", "a"},
		{"b", "b"},
		{"c", ""},
		{"", ""},
		{"Public", ""},
	}
	for _, tt := range tests {
		p, ok := cfg.Profile(tt.slug)
		got := ""
		if ok {
			got = p.Slug
		}
		if got != tt.want {
			t.Errorf("Profile(%q): got %q, want %q", tt.slug, got, tt.want)
		}
	}
	var order []string
	for _, p := range cfg.Profiles() {
		order = append(order, p.Slug)
	}
	if want := []string{"a", "b", "public"}; !slices.Equal(order, want) {
		t.Errorf("Profiles: got %v, want %v", order, want)
	}
}

func TestChainLookup(t *testing.T) {
	t.Parallel()
	const src = `---
name: T
slug: t
---
chains:
  ethereum:
    chain_id: 1
    url_aliases: [eth, mainnet, "1"]
    providers:
      - id: a
        url: https://a.example
  "5":
    chain_id: 5
    providers:
      - id: a
        url: https://a.example
  optimism:
    chain_id: 10
    aliases: [op]
    providers:
      - id: a
        url: https://a.example
`
	p := mustProfile(t, "dir/t.yml", src, nolookup)
	tests := []struct {
		segment, want string
	}{
		{"1", "ethereum"},
		{"ethereum", "ethereum"},
		{"eth", "ethereum"},
		{"mainnet", "ethereum"},
		{"10", "optimism"},
		{"5", "5"}, // a decimal key must be its own chain id, so both agree
		{"op", "optimism"},
		{"optimism", "optimism"},
		{"0x1", ""},
		{"ETH", ""},
		{"", ""},
		{"999", ""},
		{"-1", ""},
	}
	for _, tt := range tests {
		ch, ok := p.Chain(tt.segment)
		got := ""
		if ok {
			got = ch.Key
		}
		if got != tt.want {
			t.Errorf("Chain(%q): got %q, want %q", tt.segment, got, tt.want)
		}
	}
}

func TestProviderOrder(t *testing.T) {
	t.Parallel()
	const src = `---
name: T
slug: t
---
chains:
  eth:
    chain_id: 1
    providers:
      - {id: c1, priority: 30, url: "https://c1.example"}
      - {id: d, url: "https://d.example"}
      - {id: a1, priority: 10, url: "https://a1.example"}
      - {id: c2, priority: 30, url: "https://c2.example"}
      - {id: z, priority: -5, url: "https://z.example"}
      - {id: a2, priority: 10, url: "https://a2.example"}
`
	p := mustProfile(t, "dir/t.yml", src, nolookup)
	ch := p.Chains[0]
	var got []string
	for _, pr := range ch.Providers {
		got = append(got, pr.ID)
	}
	if want := []string{"z", "a1", "a2", "c1", "c2", "d"}; !slices.Equal(got, want) {
		t.Errorf("provider order: got %v, want %v", got, want)
	}
	for _, id := range got {
		if pr, ok := ch.Provider(id); !ok || pr.ID != id {
			t.Errorf("Provider(%q): got %v, want it", id, pr)
		}
	}
	if _, ok := ch.Provider("nope"); ok {
		t.Error("Provider(nope): got found, want not found")
	}
}

func TestProviderOrderExtremePriorities(t *testing.T) {
	t.Parallel()
	src := doc("", "", "priority: 1") + "      - id: b\n        url: https://b.example\n        priority: -9223372036854775808\n"
	p := mustProfile(t, "dir/t.yml", src, nolookup)
	if got := p.Chains[0].Providers[0].ID; got != "b" {
		t.Errorf("first provider: got %s, want b (lowest priority value)", got)
	}
}

func TestEdgeInputs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		env  map[string]string
		got  func(p *profile.Profile) any
		want any
	}{
		{"YAML anchors and aliases", chainsSrc("  eth:\n    chain_id: 1\n    providers: &p\n      - {id: a, url: \"https://a.example\"}\n  base:\n    chain_id: 8453\n    providers: *p\n"),
			nil, func(p *profile.Profile) any { return p.Chains[1].Providers[0].URL }, "https://a.example"},
		{"lower-case variable name", strings.Replace(doc("", "", ""), "https://a.example", "https://a.example/${key}", 1),
			map[string]string{"key": "k"}, func(p *profile.Profile) any { return p.Chains[0].Providers[0].URL }, "https://a.example/k"},
		{"two variables", strings.Replace(doc("", "", ""), "https://a.example", "${SCHEME}://${HOST}/x", 1),
			map[string]string{"SCHEME": "https", "HOST": "h.example"}, func(p *profile.Profile) any { return p.Chains[0].Providers[0].URL }, "https://h.example/x"},
		{"null sections keep defaults", doc("rps_limit:", "monitoring:\nwebsocket:\nui-topology:", "capabilities:"),
			nil, func(p *profile.Profile) any {
				ch := p.Chains[0]
				return fmt.Sprint(p.RPSLimit, ch.Monitoring.ProbeInterval, ch.WebSocket.NewHeadsTimeout, ch.UI, ch.Providers[0].Capabilities.MaxBlockRange)
			}, "100 12s 42s {#6B7280 md} -1"},
		{"hex chain id", strings.Replace(doc("", "", ""), "chain_id: 1", "chain_id: 0x2105", 1),
			nil, func(p *profile.Profile) any { return p.Chains[0].ID }, int64(8453)},
		{"frontmatter with trailing spaces on the closing line", strings.Replace(doc("", "", ""), "---\nchains", "---  \nchains", 1),
			nil, func(p *profile.Profile) any { return p.Name }, "T"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := mustProfile(t, "dir/t.yml", tt.src, envLookup(tt.env))
			if got := tt.got(p); got != tt.want {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}
