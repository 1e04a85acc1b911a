package redisstore_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/lasso-serverless/lasso/shared/breaker"
	"github.com/lasso-serverless/lasso/shared/redisstore"
	"github.com/lasso-serverless/lasso/shared/redisstore/redistest"
	"github.com/lasso-serverless/lasso/shared/routing"
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

// Evidence kept in Redis follows the same arithmetic as the in-process
// model, outcome by outcome, on a standalone server and on a cluster.
func TestStateEvidenceMatchesTheModel(t *testing.T) {
	for name, rdb := range stateClients(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			st := redisstore.NewState(rdb, breaker.NewMemory(breaker.DefaultConfig(), nil))
			chans := []routing.Channel{
				{Breaker: breaker.Key{Instance: "i-a", Transport: "http"}, Evidence: routing.ChannelKey{Profile: "p", Chain: "eth", Provider: "a", Transport: "http"}},
				{Breaker: breaker.Key{Instance: "i-b", Transport: "http"}, Evidence: routing.ChannelKey{Profile: "q", Chain: "base", Provider: "b", Transport: "http"}},
			}
			got, err := st.Load(ctx, chans)
			if err != nil || len(got) != 2 || got[0] != (routing.ChannelState{}) {
				t.Fatalf("Load of nothing: %+v %v, want zero states", got, err)
			}
			now := time.UnixMilli(1_700_000_000_000)
			var model routing.Evidence
			steps := []struct {
				ok  bool
				lat time.Duration
			}{{true, 50 * time.Millisecond}, {true, 70 * time.Millisecond}, {false, 0}, {true, 33*time.Millisecond + 7}, {false, 0}, {false, 0}, {true, 41 * time.Millisecond}}
			for i, s := range steps {
				now = now.Add(time.Second)
				model = model.Observe(s.ok, s.lat, now)
				if err := st.Observe(ctx, chans[0], routing.Observation{Evidence: true, Success: s.ok, Latency: s.lat, Now: now}); err != nil {
					t.Fatalf("step %d: Observe: %v", i, err)
				}
				got, err := st.Load(ctx, chans[:1])
				if err != nil {
					t.Fatal(err)
				}
				e := got[0].Evidence
				if e.Latency != model.Latency || e.Successes != model.Successes || e.ConsecutiveFailures != model.ConsecutiveFailures ||
					!e.LastSeen.Equal(model.LastSeen) || math.Abs(e.Reliability-model.Reliability) > 1e-9 {
					t.Fatalf("step %d: got %+v, want %+v", i, e, model)
				}
			}
			// Rate limits only ever move later.
			later, earlier := now.Add(30*time.Second), now.Add(5*time.Second)
			for _, until := range []time.Time{later, earlier} {
				if err := st.Observe(ctx, chans[1], routing.Observation{LimitedUntil: until, Now: now}); err != nil {
					t.Fatal(err)
				}
			}
			got, _ = st.Load(ctx, chans)
			if !got[1].LimitedUntil.Equal(later) {
				t.Errorf("rate-limited until %v, want %v (never shortened)", got[1].LimitedUntil, later)
			}
			if got[1].Evidence != (routing.Evidence{}) {
				t.Errorf("channel b evidence %+v: a rate-limit mark must not add evidence", got[1].Evidence)
			}
		})
	}
}
