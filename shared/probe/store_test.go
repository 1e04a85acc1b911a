package probe_test

import (
	"testing"

	"github.com/lasso-serverless/lasso/shared/probe"
	"github.com/lasso-serverless/lasso/shared/probe/probetest"
)

// Memory keeps the contract the Redis store keeps (redisstore runs the same
// suite), so the local server and the Lambdas read probe records alike.
func TestMemoryContract(t *testing.T) {
	probetest.StoreContract(t, func(t *testing.T) probe.Store { return probe.NewMemory() })
}
