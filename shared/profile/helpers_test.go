package profile_test

import (
	"errors"
	"path"
	"strings"
	"testing"

	"github.com/lasso-serverless/lasso/shared/profile"
)

// nolookup resolves no variable: an empty environment.
func nolookup(string) (string, bool) { return "", false }

// envLookup resolves only the variables of m, a private environment (tests
// never touch the process environment).
func envLookup(m map[string]string) profile.Lookup {
	return func(name string) (string, bool) {
		v, ok := m[name]
		return v, ok
	}
}

// load loads one file and returns its Config or its problems.
func load(t *testing.T, file, src string, lookup profile.Lookup) (*profile.Config, profile.Problems) {
	t.Helper()
	return loadFiles(t, map[string]string{file: src}, lookup)
}

func loadFiles(t *testing.T, files map[string]string, lookup profile.Lookup) (*profile.Config, profile.Problems) {
	t.Helper()
	data := map[string][]byte{}
	for k, v := range files {
		data[k] = []byte(v)
	}
	cfg, err := profile.Load(data, lookup)
	return cfg, asProblems(t, cfg, err)
}

func asProblems(t *testing.T, cfg *profile.Config, err error) profile.Problems {
	t.Helper()
	if err == nil {
		if cfg == nil {
			t.Fatal("got nil Config and nil error, want one of them")
		}
		return nil
	}
	if cfg != nil {
		t.Errorf("got a Config with error %v, want nil Config", err)
	}
	var ps profile.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("got error of type %T, want profile.Problems", err)
	}
	if len(ps) == 0 {
		t.Fatal("got empty Problems as error, want at least one problem")
	}
	return ps
}

// mustProfile loads one file that must be valid and returns its profile.
func mustProfile(t *testing.T, file, src string, lookup profile.Lookup) *profile.Profile {
	t.Helper()
	cfg, ps := load(t, file, src, lookup)
	if ps != nil {
		t.Fatalf("Load(%s): got problems\n%v\nwant none", file, ps)
	}
	slug := strings.TrimSuffix(path.Base(file), ".yml")
	p, ok := cfg.Profile(slug)
	if !ok {
		t.Fatalf("Profile(%q): got not found, want the profile of %s", slug, file)
	}
	return p
}

// mustChain returns a chain that must resolve.
func mustChain(t *testing.T, p *profile.Profile, segment string) *profile.Chain {
	t.Helper()
	ch, ok := p.Chain(segment)
	if !ok {
		t.Fatalf("Chain(%q): got not found, want a chain", segment)
	}
	return ch
}

// mark is the YAML comment that marks the line a problem must point to.
const mark = "#<"

// lineOf returns the 1-based line of src holding mark, or 0 if none does.
func lineOf(t *testing.T, src string) int {
	t.Helper()
	line := 0
	for i, l := range strings.Split(src, "\n") {
		if strings.Contains(l, mark) {
			if line != 0 {
				t.Fatalf("test source marks lines %d and %d, want one", line, i+1)
			}
			line = i + 1
		}
	}
	return line
}

func indent(s string, n int) string {
	if s == "" {
		return ""
	}
	pad := strings.Repeat(" ", n)
	var b strings.Builder
	for l := range strings.SplitSeq(strings.TrimSuffix(s, "\n"), "\n") {
		b.WriteString(pad + l + "\n")
	}
	return b.String()
}

// doc builds a valid profile file for "dir/t.yml" and adds lines to it:
// front to the frontmatter (name T, slug t), chain to chain "eth"
// (chain_id 1) and provider to its only provider "a" (url
// https://a.example). The added lines are written unindented.
func doc(front, chain, provider string) string {
	return "---\nname: T\nslug: t\n" + indent(front, 0) + "---\n" +
		"chains:\n  eth:\n    chain_id: 1\n" + indent(chain, 4) +
		"    providers:\n      - id: a\n        url: https://a.example\n" + indent(provider, 8)
}

// find returns the problems at a YAML path.
func find(ps profile.Problems, yamlPath string) []profile.Problem {
	var out []profile.Problem
	for _, p := range ps {
		if p.Path == yamlPath {
			out = append(out, p)
		}
	}
	return out
}

// wantProblem checks that ps holds a problem of file at yamlPath, on line
// (unless line < 0), whose message contains every one of msgs.
func wantProblem(t *testing.T, ps profile.Problems, file, yamlPath string, line int, msgs ...string) {
	t.Helper()
	at := find(ps, yamlPath)
	if len(at) == 0 {
		t.Fatalf("problem at %q: got none, want one; got problems:\n%v", yamlPath, ps)
	}
	p := at[0]
	if p.File != file {
		t.Errorf("problem at %q: got File %q, want %q", yamlPath, p.File, file)
	}
	if line >= 0 && p.Line != line {
		t.Errorf("problem at %q: got Line %d, want %d (%s)", yamlPath, p.Line, line, p.Msg)
	}
	for _, m := range msgs {
		if !strings.Contains(p.Msg, m) {
			t.Errorf("problem at %q: got Msg %q, want it to contain %q", yamlPath, p.Msg, m)
		}
	}
}
