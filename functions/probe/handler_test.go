package main

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/infra/lambdatest"
	"github.com/lasso-serverless/lasso/shared/probe"
	"github.com/lasso-serverless/lasso/shared/redisstore/redistest"
	"github.com/lasso-serverless/lasso/shared/rpcclient/providertest"
)

// TestScheduledRun is one scheduled invocation with an 8 s deadline in
// front of a real redis-server: it probes both providers every second,
// stops stopEarly before the deadline with nothing left running, and
// leaves both healthy in Redis with their heads, where rpc-http reads them.
// Not parallel: it reads every goroutine of the test binary.
func TestScheduledRun(t *testing.T) {
	redis := redistest.Start(t)
	a, b := node(t, "0x1", "0x64", "0x0"), node(t, "0x1", "0x65", "0x0")
	dir := profileDir(t, upstream{id: "a", url: a.URL()}, upstream{id: "b", url: b.URL()})
	h := newFunction(t, map[string]string{
		"LASSO_PROFILES_DIR": dir,
		"REDIS_URL":          "redis://" + redis.Addr,
	}, nil)

	const timeout = 8 * time.Second
	took := invoke(t, h, timeout)
	t.Logf("the run took %v of its %v", took.Round(time.Millisecond), timeout)
	if limit := timeout - stopEarly + time.Second; took > limit {
		t.Errorf("the run took %v, want under %v: no round starts in the last %v", took, limit, stopEarly)
	}
	// A worker that has signalled its end may still be unwinding for a
	// moment; one still running a second later outlived the invocation.
	left := probeGoroutines()
	for deadline := time.Now().Add(time.Second); left != "" && time.Now().Before(deadline); left = probeGoroutines() {
		time.Sleep(10 * time.Millisecond)
	}
	if left != "" {
		t.Errorf("goroutines of the run outlived the invocation:\n%s", left)
	}

	for id, p := range map[string]*providertest.Provider{"a": a, "b": b} {
		if c, n := calls(p, "eth_chainId"), calls(p, "eth_blockNumber"); c < 2 || n < 2 {
			t.Errorf("provider %s: got %d eth_chainId and %d eth_blockNumber, want at least 2 of each (a round a second)", id, c, n)
		}
	}

	view := records(t, redis.Addr)
	ids := instanceIDs(t, dir)
	for id, want := range map[string]uint64{"a": 0x64, "b": 0x65} {
		s, ok := view.Providers[ids[id]]
		if !ok {
			t.Errorf("provider %s: no record in Redis (records: %+v)", id, view.Providers)
			continue
		}
		if s.Health != probe.Healthy || s.Height != want || s.Failures != 0 {
			t.Errorf("provider %s: got %s at height %d (%d failures, %q), want healthy at %d", id, s.Health, s.Height, s.Failures, s.Reason, want)
		}
	}
	if view.Chain.MaxHeight != 0x65 {
		t.Errorf("chain estimate: got max height %d, want %d", view.Chain.MaxHeight, 0x65)
	}
}

// TestWrongChainIsMisconfigured: a provider that answers eth_chainId for
// another chain is recorded misconfigured, and its head is never asked.
func TestWrongChainIsMisconfigured(t *testing.T) {
	t.Parallel()
	redis := redistest.Start(t)
	good, wrong := node(t, "0x1", "0x64", "0x0"), node(t, "0x5", "0x64", "0x0")
	dir := profileDir(t, upstream{id: "good", url: good.URL()}, upstream{id: "wrong", url: wrong.URL()})
	h := newFunction(t, map[string]string{
		"LASSO_PROFILES_DIR": dir,
		"REDIS_URL":          "redis://" + redis.Addr,
	}, nil)
	invoke(t, h, 7*time.Second) // one round: the run ends a second in

	view := records(t, redis.Addr)
	ids := instanceIDs(t, dir)
	if s := view.Providers[ids["wrong"]]; s.Health != probe.Misconfigured || s.Reason != "serves chain 5, not 1" || s.Height != 0 {
		t.Errorf("wrong chain: got %s %q at height %d, want misconfigured, \"serves chain 5, not 1\", no height", s.Health, s.Reason, s.Height)
	}
	if s := view.Providers[ids["good"]]; s.Health != probe.Healthy {
		t.Errorf("good provider: got %s %q, want healthy", s.Health, s.Reason)
	}
	if n := calls(wrong, "eth_blockNumber"); n != 0 {
		t.Errorf("wrong chain: got %d eth_blockNumber, want 0 (its head would be another chain's)", n)
	}
}

// TestWithoutRedis: with no REDIS_URL the function still probes, keeping
// the records in the container, and warns that no rpc-http reads them.
func TestWithoutRedis(t *testing.T) {
	t.Parallel()
	p := node(t, "0x1", "0x64", "0x0")
	var log lambdatest.Buffer
	h := newFunction(t, map[string]string{"LASSO_PROFILES_DIR": profileDir(t, upstream{id: "a", url: p.URL()})}, &log)
	invoke(t, h, 7*time.Second)

	if !strings.Contains(log.String(), "REDIS_URL is not set") {
		t.Errorf("log: no warning that REDIS_URL is not set:\n%s", log.String())
	}
	if !strings.Contains(log.String(), `"event":"Scheduled Event"`) {
		t.Errorf("log: the run does not name the scheduled event:\n%s", log.String())
	}
	if c, n := calls(p, "eth_chainId"), calls(p, "eth_blockNumber"); c < 1 || n < 1 {
		t.Errorf("provider: got %d eth_chainId and %d eth_blockNumber, want a round", c, n)
	}
}

// probeGoroutines returns the stacks of goroutines running the router's
// code: the prober, the pipeline, the app, the configuration refresh, the
// store. Idle pooled connections run only the standard library's, and the
// test's own helpers (redistest, providertest) are not the run's.
func probeGoroutines() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var left []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		for _, pkg := range []string{"probe", "app", "awsconfig", "proxy", "routing", "rpcclient", "redisstore", "breaker"} {
			if strings.Contains(g, "lasso-serverless/lasso/shared/"+pkg+".") {
				left = append(left, g)
				break
			}
		}
	}
	return strings.Join(left, "\n\n")
}
