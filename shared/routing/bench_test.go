package routing_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/probe"
	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/proxy"
	"github.com/lasso-serverless/lasso/shared/routing"
)

// bench8 is a Router with 8 providers, all with qualified evidence
// (latencies 10..80 ms) for the test profile.
func bench8(b *testing.B) (*routing.Router, *profile.Chain) { return bench8With(b, routing.Options{}) }

func bench8With(b *testing.B, opts routing.Options) (*routing.Router, *profile.Chain) {
	b.Helper()
	var ps []*profile.Provider
	for i := range 8 {
		ps = append(ps, httpProv(fmt.Sprintf("p%d", i), 8-i))
	}
	ch := chainOf(ps...)
	r, _ := newRouter(opts)
	c := callOn(ch, "", "eth_blockNumber", `[]`)
	for i, p := range ps {
		record(r, c, p, 5, success(time.Duration(10*(i+1))*time.Millisecond))
	}
	return r, ch
}

// BenchmarkPlan8 is one routing decision over 8 providers with evidence
// for all (Lasso's routing kernel takes about 12 µs for the same).
func BenchmarkPlan8(b *testing.B) {
	for _, strategy := range []string{routing.LoadBalanced, routing.Priority, routing.Fastest, routing.LatencyWeighted} {
		b.Run(strategy, func(b *testing.B) {
			r, ch := bench8(b)
			c := callOn(ch, strategy, "eth_getBalance", `["0x00000000000000000000000000000000deadbeef","latest"]`)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if len(r.Plan(ctx, c).Candidates) != 8 {
					b.Fatal("short plan")
				}
			}
		})
	}
	// Probe records for every provider, as in production, but nothing for
	// them to do: no lag limit, no numbered block.
	b.Run("heads_latest", func(b *testing.B) {
		v := &probe.View{Providers: map[string]probe.Status{}}
		r, ch := bench8With(b, routing.Options{Heads: headsOf(v)})
		for _, p := range ch.Providers {
			v.Providers[p.InstanceID] = seen(1000, 0)
		}
		c := callOn(ch, routing.Fastest, "eth_getBalance", `["0x00000000000000000000000000000000deadbeef","latest"]`)
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if len(r.Plan(ctx, c).Candidates) != 8 {
				b.Fatal("short plan")
			}
		}
	})
	// Probe records for every provider, the lag filter on and a numbered
	// block: every head-driven step runs (one provider lags and is left
	// out; the min-block order moves another back).
	b.Run("heads_lag_and_block", func(b *testing.B) {
		v := &probe.View{Providers: map[string]probe.Status{}}
		r, ch := bench8With(b, routing.Options{Heads: headsOf(v)})
		ch.Selection.MaxLagBlocks = 2
		for i, p := range ch.Providers {
			v.Providers[p.InstanceID] = seen(uint64(1000+i%2), 0)
		}
		v.Providers[ch.Providers[0].InstanceID] = seen(990, 0)
		v.Providers[ch.Providers[1].InstanceID] = seen(999, 0)
		c := callOn(ch, routing.Fastest, "eth_getBalance", `["0x00000000000000000000000000000000deadbeef","0x3e8"]`)
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if len(r.Plan(ctx, c).Candidates) != 7 {
				b.Fatal("short plan")
			}
		}
	})
	b.Run("eth_getLogs_with_limits", func(b *testing.B) {
		r, ch := bench8(b)
		for i, p := range ch.Providers {
			if i%2 == 0 {
				p.Capabilities.MaxBlockRange = 10000
			}
		}
		c := callOn(ch, routing.Fastest, "eth_getLogs", `[{"fromBlock":"0x100","toBlock":"0x200","address":"0x0"}]`)
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if len(r.Plan(ctx, c).Candidates) != 8 {
				b.Fatal("short plan")
			}
		}
	})
}

// BenchmarkRecord is one attempt's outcome folded into breaker, evidence
// and rate-limit memory.
func BenchmarkRecord(b *testing.B) {
	r, ch := bench8(b)
	c := callOn(ch, routing.Fastest, "eth_blockNumber", `[]`)
	cand := channel(ch.Providers[3])
	ctx := context.Background()
	o := success(20 * time.Millisecond)
	b.ReportAllocs()
	for b.Loop() {
		r.Record(ctx, c, cand, o)
	}
}

// echo answers every request with a result and the request's private id.
type echo struct{}

var (
	echoPrefix = []byte(`{"jsonrpc":"2.0","id":"`)
	echoTail   = []byte(`","result":"0x1234567"}`)
)

func (echo) Send(_ context.Context, _ *profile.Provider, body []byte) (proxy.Reply, error) {
	rest := body[len(echoPrefix):]
	id := rest[:bytes.IndexByte(rest, '"')]
	out := make([]byte, 0, len(echoPrefix)+len(id)+len(echoTail))
	out = append(append(append(out, echoPrefix...), id...), echoTail...)
	return proxy.Reply{Status: 200, Body: out}, nil
}

// BenchmarkServe is a whole call through the Forwarder with the Router as
// planner and health, upstream I/O excluded.
func BenchmarkServe(b *testing.B) {
	for _, strategy := range []string{routing.LoadBalanced, routing.Fastest, routing.LatencyWeighted} {
		b.Run(strategy, func(b *testing.B) {
			r, ch := bench8(b)
			f := proxy.NewForwarder(r, r, echo{}, proxy.Options{})
			tmpl := callOn(ch, strategy, "eth_blockNumber", `[]`)
			ctx := context.Background()
			buf := make([]byte, 0, 256)
			b.ReportAllocs()
			for b.Loop() {
				c := &proxy.Call{Request: tmpl.Request, Profile: tmpl.Profile, Chain: tmpl.Chain, Strategy: strategy}
				resp, err := f.Serve(ctx, c)
				if err != nil {
					b.Fatal(err)
				}
				buf = resp.AppendJSON(buf[:0])
			}
		})
	}
}
