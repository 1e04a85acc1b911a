package lambdatest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// recorder is a testing.TB whose Skip and Fatal end the goroutine, as
// testing's do, but only record the message instead of ending the test,
// so that RIE's refusals can be read.
type recorder struct {
	testing.TB
	skipped, fatal string
}

func (r *recorder) Helper()           {}
func (r *recorder) Skip(args ...any)  { r.skipped = fmt.Sprint(args...); runtime.Goexit() }
func (r *recorder) Fatal(args ...any) { r.fatal = fmt.Sprint(args...); runtime.Goexit() }

// rie calls RIE on r in a goroutine of its own, which Skip and Fatal end.
func rie(r *recorder) (path string) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		path = RIE(r)
	}()
	<-done
	return path
}

func TestRIE(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "aws-lambda-rie")
	plain := filepath.Join(dir, "plain")
	for path, mode := range map[string]os.FileMode{exe: 0o755, plain: 0o644} {
		if err := os.WriteFile(path, nil, mode); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, rie, ci string
		want          string // the path returned; "" when refused
		wantSkip      string // substring of the skip message
		wantFatal     string // substring of the failure
	}{
		{name: "executable", rie: exe, want: exe},
		{name: "unset", wantSkip: "skipping the emulator test: LASSO_RIE is not set (run `make tools`"},
		{name: "unset in CI", ci: "true", wantFatal: "Lambda emulator missing in CI: LASSO_RIE is not set"},
		{name: "missing", rie: filepath.Join(dir, "nothing"), wantSkip: "no such file or directory"},
		{name: "directory", rie: dir, wantSkip: "is not an executable file"},
		{name: "not executable", rie: plain, ci: "true", wantFatal: "is not an executable file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("LASSO_RIE", tt.rie)
			t.Setenv("CI", tt.ci)
			r := &recorder{TB: t}
			got := rie(r)
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if !contains(r.skipped, tt.wantSkip) || !contains(r.fatal, tt.wantFatal) {
				t.Errorf("got skip %q and failure %q, want skip %q and failure %q", r.skipped, r.fatal, tt.wantSkip, tt.wantFatal)
			}
		})
	}
}

// contains is strings.Contains where an empty want means "nothing at all".
func contains(got, want string) bool {
	if want == "" {
		return got == ""
	}
	return strings.Contains(got, want)
}

func TestModuleRoot(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "Makefile")); err != nil {
		t.Errorf("module root %s: no Makefile beside go.mod: %v", root, err)
	}
}
