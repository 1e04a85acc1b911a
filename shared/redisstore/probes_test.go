package redisstore

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/lasso-serverless/lasso/shared/probe"
	"github.com/lasso-serverless/lasso/shared/probe/probetest"
	"github.com/lasso-serverless/lasso/shared/redisstore/redistest"
)

var probesT0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func TestProbesContractStandalone(t *testing.T) {
	s := redistest.Start(t)
	rdb := breakerClient(t, "redis://"+s.Addr, false)
	probetest.StoreContract(t, func(t *testing.T) probe.Store {
		breakerFlush(t, rdb)
		return NewProbes(rdb)
	})
}

func TestProbesContractCluster(t *testing.T) {
	c := redistest.StartCluster(t)
	rdb := breakerClient(t, "redis://"+strings.Join(c.Addrs(), ","), true)
	probetest.StoreContract(t, func(t *testing.T) probe.Store {
		breakerFlush(t, rdb)
		return NewProbes(rdb)
	})
}

func probesRecord(height uint64) (probe.Status, probe.Chain) {
	return probe.Status{Health: probe.Healthy, Height: height, HeightAt: probesT0, CheckedAt: probesT0},
		probe.Chain{MaxHeight: height, MaxAt: probesT0}
}

// The probe function pays one round trip per record it saves, and a reader
// one per Load however many chains it asks for, on a cluster too, where
// the chains' keys live on different masters.
func TestProbesRoundTrips(t *testing.T) {
	s := redistest.Start(t)
	c := redistest.StartCluster(t)
	clients := map[string]redis.UniversalClient{
		"standalone": breakerClient(t, "redis://"+s.Addr, false),
		"cluster":    breakerClient(t, "redis://"+strings.Join(c.Addrs(), ","), true),
	}
	chains := []int64{1, 10, 56, 137, 8453, 42161, 11155111}
	for name, rdb := range clients {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			p := NewProbes(rdb)
			if cc, ok := rdb.(*redis.ClusterClient); ok {
				nodes := map[string]bool{}
				for _, id := range chains {
					m, err := cc.MasterForKey(ctx, probesKey(id))
					if err != nil {
						t.Fatal(err)
					}
					nodes[m.Options().Addr] = true
				}
				if len(nodes) < 2 {
					t.Fatalf("the %d chains all hash to one master: the test proves nothing", len(chains))
				}
			}
			if _, err := p.Load(ctx, chains); err != nil { // the cluster client learns its slots
				t.Fatal(err)
			}
			h := breakerCountHooks(rdb)
			for i, id := range chains {
				st, est := probesRecord(uint64(i + 1))
				if err := p.Save(ctx, id, "a", st, est); err != nil {
					t.Fatal(err)
				}
				if got := h.calls(); got != 1 {
					t.Errorf("Save on chain %d: %d round trips, want 1", id, got)
				}
			}
			views, err := p.Load(ctx, chains)
			if err != nil {
				t.Fatal(err)
			}
			if got := h.calls(); got != 1 {
				t.Errorf("Load of %d chains: %d round trips, want 1", len(chains), got)
			}
			if len(views) != len(chains) {
				t.Errorf("Load of %d chains: %d views", len(chains), len(views))
			}
			if _, err := p.Load(ctx, nil); err != nil {
				t.Fatal(err)
			}
			if got := h.calls(); got != 0 {
				t.Errorf("Load of no chains: %d round trips, want 0", got)
			}
		})
	}
}

// The layout doc.go and Probes document: one hash per chain, JSON fields,
// and a TTL refreshed by every Save.
func TestProbesKeyLayout(t *testing.T) {
	s := redistest.Start(t)
	rdb := breakerClient(t, "redis://"+s.Addr, false)
	ctx := context.Background()
	p := NewProbes(rdb)
	if k := probesKey(8453); k != "{chain:8453}:probe" {
		t.Fatalf("key %q", k)
	}
	st, est := probesRecord(100)
	if err := p.Save(ctx, 8453, "alchemy-base", st, est); err != nil {
		t.Fatal(err)
	}
	fields, err := rdb.HKeys(ctx, "{chain:8453}:probe").Result()
	slices.Sort(fields)
	if err != nil || strings.Join(fields, ",") != "chain,i:alchemy-base" {
		t.Fatalf("fields %v, %v; want chain and i:alchemy-base", fields, err)
	}
	if err := rdb.PExpire(ctx, "{chain:8453}:probe", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	if err := p.Save(ctx, 8453, "alchemy-base", st, est); err != nil {
		t.Fatal(err)
	}
	ttl, err := rdb.PTTL(ctx, "{chain:8453}:probe").Result()
	if err != nil || ttl <= probesTTL-time.Minute || ttl > probesTTL {
		t.Fatalf("TTL after a Save = %v, %v; want refreshed to about %v", ttl, err, probesTTL)
	}
}

// A field that does not decode costs that field only: the other records of
// its chain and of other chains still load.
func TestProbesSkipsCorruptFields(t *testing.T) {
	s := redistest.Start(t)
	rdb := breakerClient(t, "redis://"+s.Addr, false)
	ctx := context.Background()
	p := NewProbes(rdb)
	st, est := probesRecord(100)
	for _, id := range []int64{1, 10} {
		if err := p.Save(ctx, id, "good", st, est); err != nil {
			t.Fatal(err)
		}
	}
	for key, fields := range map[string][]string{
		probesKey(1):  {"i:bad", "{not json", "i:wrong-type", `{"height":"tall"}`, "future", "whatever"},
		probesKey(10): {"chain", "[1,2]"},
	} {
		if err := rdb.HSet(ctx, key, fields).Err(); err != nil {
			t.Fatal(err)
		}
	}
	views, err := p.Load(ctx, []int64{1, 10})
	if err != nil {
		t.Fatalf("Load with corrupt fields: %v, want the rest", err)
	}
	one, ten := views[1], views[10]
	if one == nil || ten == nil {
		t.Fatalf("views %v, want both chains", views)
	}
	if len(one.Providers) != 1 || one.Providers["good"].Height != 100 || one.Chain.MaxHeight != 100 {
		t.Errorf("chain 1 = %+v, want the good record and the estimate alone", one)
	}
	if ten.Providers["good"].Height != 100 || ten.Chain != (probe.Chain{}) {
		t.Errorf("chain 10 = %+v, want the good record and no estimate", ten)
	}
}

// With Redis gone, Load and Save fail promptly with an error that does not
// show the URL's password; nothing panics.
func TestProbesServerDown(t *testing.T) {
	s := redistest.Start(t)
	rdb := breakerClient(t, "redis://:s3cret-pw@"+s.Addr, false)
	ctx := context.Background()
	p := NewProbes(rdb)
	s.Stop()
	st, est := probesRecord(100)
	calls := map[string]func() error{
		"Load": func() error { _, err := p.Load(ctx, []int64{1, 10}); return err },
		"Save": func() error { return p.Save(ctx, 1, "a", st, est) },
	}
	for name, call := range calls {
		start := time.Now()
		err := call()
		took := time.Since(start)
		if err == nil {
			t.Fatalf("%s with the server down: no error", name)
		}
		if strings.Contains(err.Error(), "s3cret-pw") {
			t.Errorf("%s error shows the password: %v", name, err)
		}
		if took > time.Second {
			t.Errorf("%s with the server down took %v, want under 1s", name, took)
		}
		t.Logf("server down: %s failed in %v: %v", name, took.Round(time.Microsecond), err)
	}
}
