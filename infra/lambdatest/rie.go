package lambdatest

import (
	"fmt"
	"os"
	"testing"
)

// RIE returns the emulator named by LASSO_RIE (`make test` sets it to
// bin/aws-lambda-rie, which `make tools` installs). Without one the test
// skips, so that `go test ./...` works anywhere; with CI=true it fails,
// because a missing prerequisite in CI would otherwise pass silently.
func RIE(t testing.TB) string {
	t.Helper()
	path := os.Getenv("LASSO_RIE")
	var why string
	if path == "" {
		why = "LASSO_RIE is not set"
	} else if fi, err := os.Stat(path); err != nil {
		why = fmt.Sprintf("LASSO_RIE=%s: %v", path, err)
	} else if fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
		why = fmt.Sprintf("LASSO_RIE=%s is not an executable file", path)
	}
	if why == "" {
		return path
	}
	why += " (run `make tools` and set LASSO_RIE=$PWD/bin/aws-lambda-rie, or run `make test`)"
	if os.Getenv("CI") == "true" {
		t.Fatal("Lambda emulator missing in CI: " + why)
	}
	t.Skip("skipping the emulator test: " + why)
	return ""
}
