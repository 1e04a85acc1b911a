package redisstore_test

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/lasso-serverless/lasso/shared/breaker"
	"github.com/lasso-serverless/lasso/shared/redisstore"
	"github.com/lasso-serverless/lasso/shared/redisstore/redistest"
	"github.com/lasso-serverless/lasso/shared/routing"
	"github.com/lasso-serverless/lasso/shared/routing/routingtest"
)

func stateClients(t *testing.T) map[string]redis.UniversalClient {
	t.Helper()
	s := redistest.Start(t)
	c := redistest.StartCluster(t)
	standalone := redis.NewClient(&redis.Options{Addr: s.Addr})
	cluster := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs()})
	t.Cleanup(func() { standalone.Close(); cluster.Close() })
	return map[string]redis.UniversalClient{"standalone": standalone, "cluster": cluster}
}

// The Redis store keeps the routing.Store contract on a standalone server
// and on a cluster (breakers here come from memory: the contract's breaker
// case checks the plumbing, not the Redis breakers, tested on their own).
func TestStateContract(t *testing.T) {
	for name, rdb := range stateClients(t) {
		t.Run(name, func(t *testing.T) {
			routingtest.StoreContract(t, func(t *testing.T, b breaker.Store) routing.Store {
				flush(t, rdb)
				return redisstore.NewState(rdb, b)
			})
		})
	}
}

// flush empties the store, every master of a cluster.
func flush(t *testing.T, rdb redis.UniversalClient) {
	t.Helper()
	ctx := context.Background()
	var err error
	switch c := rdb.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error { return n.FlushAll(ctx).Err() })
	case *redis.Client:
		err = c.FlushAll(ctx).Err()
	}
	if err != nil {
		t.Fatal(err)
	}
}
