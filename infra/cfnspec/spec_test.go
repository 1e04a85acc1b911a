package cfnspec

import (
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

// The real spec is 15 MB of JSON: decode it once per test binary.
var realSpec struct {
	once sync.Once
	spec *Spec
	err  error
	took time.Duration
}

// loadRealSpec returns the spec named by LASSO_CFN_SPEC. Without one the
// test skips, so that `go test ./...` works on a machine without npm; with
// CI=true it fails instead, because a missing spec in CI would otherwise
// turn the template check into a silent no-op.
func loadRealSpec(t *testing.T) *Spec {
	t.Helper()
	path := os.Getenv("LASSO_CFN_SPEC")
	var why string
	if path == "" {
		why = "LASSO_CFN_SPEC is not set"
	} else if _, err := os.Stat(path); err != nil {
		why = fmt.Sprintf("LASSO_CFN_SPEC=%s: %v", path, err)
	}
	if why != "" {
		why += " (run `./infra/tools.sh cfnspec` and set LASSO_CFN_SPEC=$PWD/bin/cfnspec/node_modules/@aws-cdk/aws-service-spec/db.json.gz, or run `make test`)"
		if os.Getenv("CI") == "true" {
			t.Fatal("cfnspec prerequisite missing in CI: " + why)
		}
		t.Skip("skipping: " + why)
	}
	realSpec.once.Do(func() {
		start := time.Now()
		realSpec.spec, realSpec.err = Load(path)
		realSpec.took = time.Since(start)
	})
	if realSpec.err != nil {
		t.Fatalf("load the spec: %v", realSpec.err)
	}
	return realSpec.spec
}

func readTemplate(t *testing.T) []byte {
	t.Helper()
	src, err := os.ReadFile("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func TestTemplateMatchesSpec(t *testing.T) {
	spec := loadRealSpec(t)
	t.Logf("spec: %d resource types, loaded in %v", len(spec.Resources), realSpec.took.Round(time.Millisecond))
	start := time.Now()
	problems := Check(readTemplate(t), spec)
	t.Logf("checked template.yaml in %v", time.Since(start).Round(time.Microsecond))
	for _, p := range problems {
		t.Errorf("template.yaml %s", p)
	}
}
