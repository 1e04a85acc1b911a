package routing_test

import (
	"testing"

	"github.com/lasso-serverless/lasso/shared/breaker"
	"github.com/lasso-serverless/lasso/shared/routing"
	"github.com/lasso-serverless/lasso/shared/routing/routingtest"
)

func TestMemoryStoreContract(t *testing.T) {
	routingtest.StoreContract(t, func(_ *testing.T, b breaker.Store) routing.Store { return routing.NewMemoryStore(b) })
}
