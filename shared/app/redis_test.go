package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/lasso-serverless/lasso/shared/app"
	"github.com/lasso-serverless/lasso/shared/redisstore/redistest"
	"github.com/lasso-serverless/lasso/shared/rpcclient/providertest"
)

// fleet is two routers (two processes' worth of state: two app.New) that
// share one redis-server, in front of the same providers.
type fleet struct {
	a, b   http.Handler
	redis  *redistest.Server
	prov   map[string]*providertest.Provider
	clock  *fakeClock
	reqNum atomic.Int64
}

func newFleet(t *testing.T, fake bool, rps int, providers ...testProvider) *fleet {
	t.Helper()
	f := &fleet{redis: redistest.Start(t), prov: map[string]*providertest.Provider{}}
	var yml strings.Builder
	fmt.Fprintf(&yml, "---\nname: Fleet\nslug: public\nrps_limit: %d\nburst_limit: %d\n---\nchains:\n  ethereum:\n    chain_id: 1\n    providers:\n", rps, rps)
	for _, p := range providers {
		pp := providertest.New(t, p.behave)
		f.prov[p.id] = pp
		fmt.Fprintf(&yml, "      - id: %s\n        priority: %d\n        url: %s\n", p.id, p.priority, pp.URL())
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "public.yml"), []byte(yml.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var clock func() time.Time
	if fake {
		f.clock = &fakeClock{now: time.Now()}
		clock = f.clock.Now
	}
	build := func() http.Handler {
		cfg, err := app.ConfigFromEnv(func(k string) string {
			return map[string]string{"LASSO_DEFAULT_STRATEGY": "priority", "REDIS_URL": "redis://" + f.redis.Addr}[k]
		})
		if err != nil {
			t.Fatal(err)
		}
		cfg.ProfilesDir = dir
		a, err := app.New(cfg, app.Options{LogOutput: io.Discard, Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		return a.Handler()
	}
	f.a, f.b = build(), build()
	return f
}

// call posts eth_blockNumber with an API key to one router.
func (f *fleet) call(h http.Handler) int {
	req := httptest.NewRequest(http.MethodPost, "/rpc/ethereum", strings.NewReader(
		fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"eth_blockNumber"}`, f.reqNum.Add(1))))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Api-Key", "fleet-client")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

// A breaker opened through one router keeps the other off that provider once
// its snapshot (1 s) has aged.
func TestFleetSharesBreakers(t *testing.T) {
	f := newFleet(t, true, 1_000_000,
		testProvider{id: "a", priority: 1, behave: providertest.Status(503, "down")},
		testProvider{id: "b", priority: 2, behave: ok(`"0xb"`)})
	f.call(f.b) // B reads the chain: a closed
	for range 5 {
		f.call(f.a) // five 503s through A open a's breaker, in Redis
	}
	before := f.prov["a"].Count()
	f.clock.Advance(time.Second)
	for range 3 {
		if code := f.call(f.b); code != 200 {
			t.Fatalf("B: status %d", code)
		}
	}
	if n := f.prov["a"].Count() - before; n != 0 {
		t.Errorf("B sent %d calls to a after A opened its breaker, want 0", n)
	}
}

// Half-open lets exactly one trial through across both routers.
func TestFleetHalfOpenAdmitsOneTrial(t *testing.T) {
	release := make(chan struct{})
	var failing atomic.Bool
	failing.Store(true)
	gateA := func(r providertest.Received) (int, []byte) {
		if failing.Load() {
			return 503, []byte("down")
		}
		<-release
		return ok(`"0xa"`)(r)
	}
	f := newFleet(t, true, 1_000_000,
		testProvider{id: "a", priority: 1, behave: gateA},
		testProvider{id: "b", priority: 2, behave: ok(`"0xb"`)})
	for range 5 {
		f.call(f.a)
	}
	failing.Store(false)
	f.prov["b"].SetBehaviour(providertest.Status(503, "b down too")) // so both routers reach a
	f.clock.Advance(70 * time.Second)                                // past recovery and jitter: half-open
	before := f.prov["a"].Count()

	var wg sync.WaitGroup
	for _, h := range []http.Handler{f.a, f.b, f.a, f.b} {
		wg.Add(1)
		go func() { defer wg.Done(); f.call(h) }()
	}
	deadline := time.Now().Add(5 * time.Second)
	for f.prov["a"].Count() == before && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond) // waiting for an event, not for time to pass
	}
	// Give the other three calls the chance to (wrongly) reach a as well:
	// they finish on b's error once their admission is refused.
	for f.prov["b"].Count() < 4 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := f.prov["a"].Count() - before; n != 1 {
		t.Errorf("half-open a received %d trials across two routers, want exactly 1", n)
	}
	close(release)
	wg.Wait()
}

// A profile limit of 20 rps, burst 20, hammered through both routers for
// 3 s admits about 80 calls (20 + 3 x 20), not 160: the limit is the
// fleet's, not each container's.
func TestFleetSharesClientLimits(t *testing.T) {
	f := newFleet(t, false, 20, testProvider{id: "a", priority: 1, behave: ok(`"0xa"`)})
	var admitted, refused atomic.Int64
	stop := time.Now().Add(3 * time.Second)
	var wg sync.WaitGroup
	for _, h := range []http.Handler{f.a, f.b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				switch f.call(h) {
				case 200:
					admitted.Add(1)
				case 429:
					refused.Add(1)
				default:
					t.Error("an answer other than 200 or 429")
					return
				}
			}
		}()
	}
	wg.Wait()
	if n := admitted.Load(); n < 70 || n > 90 {
		t.Errorf("admitted %d calls in 3 s through two routers (refused %d), want about 80", n, refused.Load())
	}
}

// Redis killed under load: no 5xx, the routers keep serving on local state,
// and Redis is written again within 5 s of its restart.
func TestFleetSurvivesRedisRestart(t *testing.T) {
	f := newFleet(t, false, 1_000_000, testProvider{id: "a", priority: 1, behave: ok(`"0xa"`)})
	var served, failed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, h := range []http.Handler{f.a, f.b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if code := f.call(h); code >= 500 {
					failed.Add(1)
				} else {
					served.Add(1)
				}
			}
		}()
	}
	waitServed := func(n int64) {
		for target := served.Load() + n; served.Load() < target; {
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitServed(50)
	f.redis.Stop()
	waitServed(200) // served with Redis down
	f.redis.Restart(t)
	back := time.Now()
	for {
		if n, err := f.redis.Do("DBSIZE"); err == nil && n != ":0" {
			break
		}
		if time.Since(back) > 5*time.Second {
			t.Error("Redis not written again within 5 s of its restart")
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if n := failed.Load(); n != 0 {
		t.Errorf("%d answers with a 5xx while Redis was down (of %d served)", n, served.Load())
	}
}

// roundTrips counts what a go-redis client sends: each command or pipeline
// is one round trip.
type roundTrips struct{ n atomic.Int64 }

func (h *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { h.n.Add(1); return next(ctx, cmd) }
}
func (h *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { h.n.Add(1); return next(ctx, cmds) }
}

// The hot-path budget: a call costs at most two Redis round trips (the
// client limit before the upstream call, the outcome after it) once the
// container's snapshot is warm; the snapshot itself is one more, at most
// once a second.
func TestRedisRoundTripsPerCall(t *testing.T) {
	srv := redistest.Start(t)
	p := providertest.New(t, ok(`"0x1"`))
	q := providertest.New(t, ok(`"0x2"`))
	dir := t.TempDir()
	yml := "---\nname: P\nslug: public\n---\nchains:\n  ethereum:\n    chain_id: 1\n    providers:\n" +
		"      - id: a\n        url: " + p.URL() + "\n      - id: b\n        url: " + q.URL() + "\n"
	if err := os.WriteFile(filepath.Join(dir, "public.yml"), []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { rdb.Close() })
	hook := &roundTrips{}
	rdb.AddHook(hook)
	cfg, _ := app.ConfigFromEnv(func(string) string { return "" })
	cfg.ProfilesDir = dir
	a, err := app.New(cfg, app.Options{LogOutput: io.Discard, Redis: rdb})
	if err != nil {
		t.Fatal(err)
	}
	f := &fleet{a: a.Handler()}
	f.call(f.a) // warms the snapshot and loads the scripts
	for i := range 20 {
		before := hook.n.Load()
		if code := f.call(f.a); code != 200 {
			t.Fatalf("call %d: status %d", i, code)
		}
		if n := hook.n.Load() - before; n > 2 {
			t.Fatalf("call %d took %d Redis round trips, want at most 2", i, n)
		}
	}
}

// BenchmarkInProcessStore is the in-process path (handler, routing,
// forwarding to a loopback provider) with state in memory and in Redis on
// loopback: the difference is what sharing state costs a call.
func BenchmarkInProcessStore(b *testing.B) {
	p := providertest.New(b, ok(`"0x1"`))
	dir := b.TempDir()
	yml := "---\nname: P\nslug: public\nrps_limit: 1000000000\nburst_limit: 1000000000\n---\nchains:\n  ethereum:\n    chain_id: 1\n    providers:\n" +
		"      - id: a\n        url: " + p.URL() + "\n"
	if err := os.WriteFile(filepath.Join(dir, "public.yml"), []byte(yml), 0o644); err != nil {
		b.Fatal(err)
	}
	srv := redistest.Start(b)
	for _, store := range []string{"memory", "redis"} {
		b.Run(store, func(b *testing.B) {
			cfg, _ := app.ConfigFromEnv(func(string) string { return "" })
			cfg.ProfilesDir = dir
			if store == "redis" {
				cfg.RedisURL = "redis://" + srv.Addr
			}
			a, err := app.New(cfg, app.Options{LogOutput: io.Discard})
			if err != nil {
				b.Fatal(err)
			}
			f := &fleet{a: a.Handler()}
			f.call(f.a)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if code := f.call(f.a); code != 200 {
					b.Fatalf("status %d", code)
				}
			}
		})
	}
}
