package lambdatest

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// Version is the VERSION Build stamps into every bootstrap, which GET
// /api/health must report.
const Version = "v0.0.0-rie-test"

// Build builds a function with the Makefile target `sam build` runs for its
// logical id (build-RpcHttpFunction, build-ProbeFunction: flags, version
// stamp, bundled profiles), but for the machine the test runs on, into a
// directory of the test's, and returns the bootstrap's path.
func Build(t testing.TB, logicalID string) (bootstrapPath string) {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	target := "build-" + logicalID
	// go test puts its own toolchain first in PATH; the Makefile keeps it.
	cmd := exec.Command("make", "-C", root, "--no-print-directory", target,
		"ARTIFACTS_DIR="+dir, "LAMBDA_ARCH="+runtime.GOARCH, "VERSION="+Version)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make %s: %v\n%s", target, err, b)
	}
	if _, err := os.Stat(filepath.Join(dir, "profiles", "public.yml")); err != nil {
		t.Errorf("%s bundles no profiles beside the bootstrap: %v", target, err)
	}
	return filepath.Join(dir, "bootstrap")
}

// moduleRoot is the directory of the go.mod above the test's working
// directory (its package's): where the Makefile is.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("lambdatest: no go.mod above the test's directory")
		}
		dir = parent
	}
}
