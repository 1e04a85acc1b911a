package probetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/probe"
)

// t0 is the suite's start of time, with a sub-millisecond part that a store
// may drop (see the package doc).
var t0 = time.Date(2025, 6, 1, 12, 0, 0, 123_456_789, time.UTC)

// Chain ids of the suite: mainnet, Base, Sepolia.
const (
	eth     int64 = 1
	base    int64 = 8453
	sepolia int64 = 11155111
)

// StoreContract runs the behaviours every probe.Store shares. newStore must
// return an empty store, isolated from any other it returned.
func StoreContract(t *testing.T, newStore func(t *testing.T) probe.Store) {
	t.Helper()
	ctx := context.Background()

	t.Run("unknown chains have no entry and are no error", func(t *testing.T) {
		s := newStore(t)
		if got := load(t, s, eth, base); len(got) != 0 {
			t.Fatalf("Load of an empty store = %v, want no entries", got)
		}
		if got := load(t, s); len(got) != 0 {
			t.Fatalf("Load of no chains = %v, want no entries", got)
		}
		save(t, s, eth, "a", healthy(100, t0), chainAt(100, t0))
		got := load(t, s, eth, sepolia)
		if _, ok := got[sepolia]; ok || len(got) != 1 {
			t.Fatalf("Load(eth, sepolia) with only eth probed = %v, want eth alone", got)
		}
	})

	t.Run("save then load round-trips every field", func(t *testing.T) {
		s := newStore(t)
		// Every field set, one instant in another zone (the instant is
		// what must survive, not the zone), durations with odd
		// nanoseconds (they are counts, kept exactly).
		full := probe.Status{
			Health:    probe.RateLimited,
			Height:    21_000_123,
			HeightAt:  t0.Add(-1500 * time.Microsecond),
			Failures:  4,
			Reason:    "HTTP 429: quota exceeded, \"retry\" later",
			CheckedAt: t0.In(time.FixedZone("UTC+5:30", 5*3600+1800)),
			NextAt:    t0.Add(31*time.Second + 7),
			Latency:   87*time.Millisecond + 654_321,
		}
		never := probe.Status{Health: probe.Unknown} // zero instants stay zero
		c := probe.Chain{BlockTime: 12*time.Second + 345_678_901, Samples: 7, MaxHeight: 21_000_124, MaxAt: t0.Add(time.Second)}
		save(t, s, eth, "alchemy-eth", full, c)
		save(t, s, eth, "fresh-eth", never, c)
		v := view(t, load(t, s, eth), eth)
		sameChain(t, "chain", v.Chain, c)
		sameStatus(t, "alchemy-eth", v.Providers["alchemy-eth"], full)
		sameStatus(t, "fresh-eth", v.Providers["fresh-eth"], never)
		if got := v.Providers["fresh-eth"]; !got.HeightAt.IsZero() || !got.CheckedAt.IsZero() || !got.NextAt.IsZero() {
			t.Errorf("zero instants came back as %v, %v, %v; want zero", got.HeightAt, got.CheckedAt, got.NextAt)
		}
	})

	t.Run("several instances of one chain", func(t *testing.T) {
		s := newStore(t)
		// Instance ids are opaque: separators of a key or field layout
		// must not split them.
		ids := []string{"alchemy-eth", "infura:eth:1", "{llama}", "public node"}
		want := map[string]probe.Status{}
		for i, id := range ids {
			st := healthy(uint64(100+i), t0.Add(time.Duration(i)*time.Second))
			want[id] = st
			save(t, s, eth, id, st, chainAt(uint64(100+i), t0))
		}
		v := view(t, load(t, s, eth), eth)
		sameProviders(t, v.Providers, want)
	})

	t.Run("several chains in one load", func(t *testing.T) {
		s := newStore(t)
		chains := []int64{eth, base, sepolia}
		for i, id := range chains {
			save(t, s, id, "a", healthy(uint64(i+1)*1000, t0), chainAt(uint64(i+1)*1000, t0))
		}
		got := load(t, s, chains...)
		if len(got) != len(chains) {
			t.Fatalf("Load of %d probed chains = %d entries, want %d", len(chains), len(got), len(chains))
		}
		for i, id := range chains {
			h := uint64(i+1) * 1000
			v := view(t, got, id)
			sameChain(t, fmt.Sprintf("chain %d", id), v.Chain, chainAt(h, t0))
			sameProviders(t, v.Providers, map[string]probe.Status{"a": healthy(h, t0)})
		}
	})

	t.Run("a later save overwrites the instance and the chain estimate", func(t *testing.T) {
		s := newStore(t)
		save(t, s, eth, "a", healthy(100, t0), chainAt(100, t0))
		save(t, s, eth, "b", healthy(101, t0), chainAt(101, t0))
		later := t0.Add(12 * time.Second)
		failed := probe.Status{Health: probe.Degraded, Height: 100, HeightAt: t0, Failures: 1, Reason: "timeout", CheckedAt: later, NextAt: later.Add(2 * time.Second)}
		c := probe.Chain{BlockTime: 12 * time.Second, Samples: 1, MaxHeight: 102, MaxAt: later}
		save(t, s, eth, "a", failed, c)
		v := view(t, load(t, s, eth), eth)
		sameChain(t, "chain", v.Chain, c)
		sameProviders(t, v.Providers, map[string]probe.Status{"a": failed, "b": healthy(101, t0)})
	})

	t.Run("concurrent saves of different instances all survive", func(t *testing.T) {
		s := newStore(t)
		const n = 16
		var wg sync.WaitGroup
		errs := make(chan error, n)
		want := map[string]probe.Status{}
		for i := range n {
			id, st := fmt.Sprintf("i-%02d", i), healthy(uint64(1000+i), t0)
			want[id] = st
			wg.Go(func() {
				if err := s.Save(ctx, eth, id, st, chainAt(uint64(1000+i), t0)); err != nil {
					errs <- fmt.Errorf("Save %s: %w", id, err)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		v := view(t, load(t, s, eth), eth)
		sameProviders(t, v.Providers, want)
		// The estimate is one whole save's, whichever came last.
		if h := v.Chain.MaxHeight; h < 1000 || h >= 1000+n || !trunc(v.Chain.MaxAt).Equal(trunc(t0)) {
			t.Errorf("chain after concurrent saves = %+v, want one of the saved estimates", v.Chain)
		}
	})

	t.Run("a loaded view is a snapshot", func(t *testing.T) {
		// Views are read-only to their callers, and later saves do not
		// reach into them: a plan may hold one while probes write on.
		s := newStore(t)
		save(t, s, eth, "a", healthy(100, t0), chainAt(100, t0))
		got := load(t, s, eth)
		save(t, s, eth, "a", probe.Status{Health: probe.Unhealthy, Failures: 3}, chainAt(200, t0))
		save(t, s, eth, "b", healthy(200, t0), chainAt(200, t0))
		v := view(t, got, eth)
		sameChain(t, "chain", v.Chain, chainAt(100, t0))
		sameProviders(t, v.Providers, map[string]probe.Status{"a": healthy(100, t0)})
	})
}

// healthy is the record of a good round that saw height at at.
func healthy(height uint64, at time.Time) probe.Status {
	return probe.Status{Health: probe.Healthy, Height: height, HeightAt: at, CheckedAt: at, NextAt: at.Add(12 * time.Second), Latency: 40 * time.Millisecond}
}

func chainAt(height uint64, at time.Time) probe.Chain {
	return probe.Chain{BlockTime: 12 * time.Second, Samples: 5, MaxHeight: height, MaxAt: at}
}

func save(t *testing.T, s probe.Store, chain int64, instance string, st probe.Status, c probe.Chain) {
	t.Helper()
	if err := s.Save(context.Background(), chain, instance, st, c); err != nil {
		t.Fatalf("Save(%d, %q): %v", chain, instance, err)
	}
}

func load(t *testing.T, s probe.Store, chains ...int64) map[int64]*probe.View {
	t.Helper()
	got, err := s.Load(context.Background(), chains)
	if err != nil {
		t.Fatalf("Load(%v): %v", chains, err)
	}
	return got
}

func view(t *testing.T, views map[int64]*probe.View, chain int64) *probe.View {
	t.Helper()
	v, ok := views[chain]
	if !ok || v == nil {
		t.Fatalf("Load has no view of chain %d: %v", chain, views)
	}
	return v
}

// trunc is an instant at the precision the contract promises.
func trunc(at time.Time) time.Time { return at.Truncate(time.Millisecond) }

func sameTime(a, b time.Time) bool { return trunc(a).Equal(trunc(b)) }

func sameStatus(t *testing.T, what string, got, want probe.Status) {
	t.Helper()
	if got.Health != want.Health || got.Height != want.Height || got.Failures != want.Failures ||
		got.Reason != want.Reason || got.Latency != want.Latency ||
		!sameTime(got.HeightAt, want.HeightAt) || !sameTime(got.CheckedAt, want.CheckedAt) || !sameTime(got.NextAt, want.NextAt) {
		t.Errorf("%s: got %+v, want %+v", what, got, want)
	}
}

func sameChain(t *testing.T, what string, got, want probe.Chain) {
	t.Helper()
	if got.BlockTime != want.BlockTime || got.Samples != want.Samples || got.MaxHeight != want.MaxHeight || !sameTime(got.MaxAt, want.MaxAt) {
		t.Errorf("%s: got %+v, want %+v", what, got, want)
	}
}

func sameProviders(t *testing.T, got, want map[string]probe.Status) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d providers %v, want %d", len(got), keys(got), len(want))
	}
	for id, w := range want {
		g, ok := got[id]
		if !ok {
			t.Errorf("provider %q missing", id)
			continue
		}
		sameStatus(t, id, g, w)
	}
}

func keys(m map[string]probe.Status) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
