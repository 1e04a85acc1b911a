package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/jsonrpc"
	"github.com/lasso-serverless/lasso/shared/probe"
	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/proxy"
)

// scripted answers as its params say: ["<provider>", <upstream ms>,
// "<outcome>", <attempts>], outcome one of ok, revert, timeout, all_open
// (no provider tried) or local (answered without a provider).
func scripted(_ context.Context, c *proxy.Call) (*jsonrpc.Response, error) {
	var p struct {
		provider string
		ms       int
		outcome  string
		attempts int
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(c.Request.Params, &raw); err != nil || len(raw) != 4 {
		return nil, fmt.Errorf("bad script %s", c.Request.Params)
	}
	_ = json.Unmarshal(raw[0], &p.provider)
	_ = json.Unmarshal(raw[1], &p.ms)
	_ = json.Unmarshal(raw[2], &p.outcome)
	_ = json.Unmarshal(raw[3], &p.attempts)
	c.Meta = proxy.Meta{Provider: p.provider, Attempts: p.attempts, Upstream: time.Duration(p.ms) * time.Millisecond}
	switch p.outcome {
	case "revert":
		return jsonrpc.NewErrorResponse(c.Request.ID, jsonrpc.NewError(3, "execution reverted")), nil
	case "timeout":
		return nil, proxy.ErrTimeout
	case "all_open":
		c.Meta = proxy.Meta{}
		return nil, &proxy.AllOpenError{}
	case "local":
		c.Meta = proxy.Meta{Local: true}
	}
	return jsonrpc.NewResult(c.Request.ID, json.RawMessage(`"0x1"`)), nil
}

func script(method, provider string, ms int, outcome string, attempts int) string {
	return fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":%q,"params":[%q,%d,%q,%d]}`, method, provider, ms, outcome, attempts)
}

// metricsResp is the decoded /api/metrics body.
type metricsResp struct {
	Chain        string `json:"chain"`
	ChainID      int64  `json:"chain_id"`
	Timestamp    int64  `json:"timestamp"`
	Scope        string `json:"scope"`
	Since        int64  `json:"since"`
	DroppedCalls int64  `json:"dropped_calls"`
	System       struct {
		MemoryMB   float64 `json:"memory_mb"`
		Goroutines int     `json:"goroutines"`
		NumCPU     int     `json:"num_cpu"`
	} `json:"system_metrics"`
	Perf struct {
		TotalCalls          uint64   `json:"total_calls"`
		SuccessRate         *float64 `json:"success_rate"`
		P50                 *float64 `json:"p50_latency"`
		P95                 *float64 `json:"p95_latency"`
		FailoversLastMinute uint64   `json:"failovers_last_minute"`
		CallsLastMinute     uint64   `json:"calls_last_minute"`
		Connected           int      `json:"connected_providers"`
		Total               int      `json:"total_providers"`
		PerSecond           float64  `json:"rpc_calls_per_second"`
		ErrorRate           float64  `json:"error_rate_percent"`
		Unrouted            uint64   `json:"unrouted_calls"`
	} `json:"chain_performance"`
	Providers []struct {
		ID              string   `json:"id"`
		Name            string   `json:"name"`
		Score           float64  `json:"score"`
		SuccessRate     *float64 `json:"success_rate"`
		TotalCalls      uint64   `json:"total_calls"`
		AvgLatency      *float64 `json:"avg_latency_ms"`
		CallsLastMinute uint64   `json:"calls_last_minute"`
	} `json:"providers"`
	Methods []struct {
		Method    string `json:"method"`
		Providers []struct {
			Provider    string   `json:"provider"`
			Avg         *float64 `json:"avg_latency"`
			P50         *float64 `json:"p50_latency"`
			P95         *float64 `json:"p95_latency"`
			SuccessRate *float64 `json:"success_rate"`
			TotalCalls  uint64   `json:"total_calls"`
		} `json:"providers"`
	} `json:"rpc_performance_by_method"`
	LastUpdated int64 `json:"last_updated"`
}

func getMetrics(t *testing.T, r *rig, chain string) metricsResp {
	t.Helper()
	w := r.do(http.MethodGet, "/api/metrics/"+chain, "")
	if w.Code != http.StatusOK {
		t.Fatalf("GET /api/metrics/%s: %d %s", chain, w.Code, w.Body)
	}
	var m metricsResp
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatalf("%v: %s", err, w.Body)
	}
	return m
}

func near(got *float64, want, tolerance float64) bool {
	return got != nil && math.Abs(*got-want) <= tolerance
}

func TestMetricsAddUp(t *testing.T) {
	r := newRig(t, func(o *Options) { o.Inspect = fakeState{"public/ethereum/b": probed(probe.Unhealthy)}.Inspect })
	r.pipe.serve = scripted
	for range 6 {
		r.post("/rpc/eth", script("eth_blockNumber", "a", 10, "ok", 1))
	}
	// A batch: each member is recorded.
	r.post("/rpc/ethereum", "["+script("eth_blockNumber", "b", 30, "ok", 1)+","+script("eth_blockNumber", "b", 30, "ok", 1)+"]")
	for range 2 {
		r.post("/rpc/1", script("eth_call", "a", 100, "timeout", 2)) // one failover each
	}
	r.post("/rpc/eth", script("eth_call", "b", 20, "revert", 1)) // an answer, not a failure
	r.post("/rpc/eth", script("eth_chainId", "", 0, "local", 0)) // no provider: not recorded
	r.post("/rpc/eth", script("eth_getLogs", "", 0, "all_open", 0))
	// Other chains and profiles stay out of ethereum's figures.
	r.post("/rpc/base", script("eth_blockNumber", "a", 5, "ok", 1))
	r.post("/rpc/profile/team/ethereum", script("eth_blockNumber", "t1", 5, "ok", 1))
	r.clock.Advance(2 * time.Second)

	m := getMetrics(t, r, "eth")
	if m.Chain != "ethereum" || m.ChainID != 1 || m.Scope != "process" || m.DroppedCalls != 0 {
		t.Errorf("header: got chain %q id %d scope %q dropped %d", m.Chain, m.ChainID, m.Scope, m.DroppedCalls)
	}
	now := epoch.Add(2 * time.Second).UnixMilli()
	if m.Timestamp != now || m.Since != epoch.UnixMilli() || m.LastUpdated != epoch.UnixMilli() {
		t.Errorf("times: got timestamp %d since %d last_updated %d, want %d %d %d",
			m.Timestamp, m.Since, m.LastUpdated, now, epoch.UnixMilli(), epoch.UnixMilli())
	}
	if m.System.Goroutines < 1 || m.System.NumCPU < 1 || m.System.MemoryMB <= 0 {
		t.Errorf("system_metrics: got %+v", m.System)
	}

	p := m.Perf
	// 6 + 2 + 2 + 1 + 1 unrouted; the local eth_chainId is not a provider call.
	if p.TotalCalls != 12 || !near(p.SuccessRate, 0.75, 1e-9) || p.Unrouted != 1 {
		t.Errorf("totals: got %d calls, success %v, unrouted %d; want 12, 0.75, 1", p.TotalCalls, deref(p.SuccessRate), p.Unrouted)
	}
	if p.CallsLastMinute != 12 || p.FailoversLastMinute != 2 || p.PerSecond != 0.2 || p.ErrorRate != 25 {
		t.Errorf("last minute: got %d calls, %d failovers, %v/s, %v%% errors; want 12, 2, 0.2, 25",
			p.CallsLastMinute, p.FailoversLastMinute, p.PerSecond, p.ErrorRate)
	}
	if p.Connected != 1 || p.Total != 2 {
		t.Errorf("providers: got %d of %d connected, want 1 of 2 (b is unhealthy)", p.Connected, p.Total)
	}
	// 11 measured samples: six 10 ms, one 20, two 30, two 100; buckets are
	// at most 25 % wide.
	if !near(p.P50, 10, 2.5) || !near(p.P95, 100, 25) {
		t.Errorf("percentiles: got p50 %v p95 %v, want about 10 and 100", deref(p.P50), deref(p.P95))
	}

	// Providers in the chain's order; their calls and the unrouted ones add
	// up to the chain's.
	if len(m.Providers) != 2 || m.Providers[0].ID != "a" || m.Providers[1].ID != "b" {
		t.Fatalf("providers: got %+v, want a then b", m.Providers)
	}
	a, b := m.Providers[0], m.Providers[1]
	if a.TotalCalls != 8 || !near(a.SuccessRate, 0.75, 1e-9) || !near(a.AvgLatency, 32.5, 1e-9) || a.CallsLastMinute != 8 {
		t.Errorf("a: got %d calls, success %v, avg %v, %d last minute; want 8, 0.75, 32.5, 8",
			a.TotalCalls, deref(a.SuccessRate), deref(a.AvgLatency), a.CallsLastMinute)
	}
	if b.TotalCalls != 3 || !near(b.SuccessRate, 1, 0) || !near(b.AvgLatency, 26.667, 1e-9) {
		t.Errorf("b: got %d calls, success %v, avg %v; want 3, 1, 26.667", b.TotalCalls, deref(b.SuccessRate), deref(b.AvgLatency))
	}
	if a.TotalCalls+b.TotalCalls+p.Unrouted != p.TotalCalls {
		t.Errorf("provider calls %d + %d + unrouted %d != total %d", a.TotalCalls, b.TotalCalls, p.Unrouted, p.TotalCalls)
	}
	// score = success × 1/(1 + avg/100) × log10(calls)
	wantA := math.Round(0.75/(1+32.5/100)*math.Log10(8)*100) / 100
	if a.Score != wantA || a.Score <= 0 {
		t.Errorf("a score: got %v, want %v", a.Score, wantA)
	}

	// Methods by name, providers in the chain's order; they add up to the
	// providers' totals.
	type mp struct {
		calls   uint64
		success float64
		avg     float64
	}
	want := map[string]map[string]mp{
		"eth_blockNumber": {"a": {6, 1, 10}, "b": {2, 1, 30}},
		"eth_call":        {"a": {2, 0, 100}, "b": {1, 1, 20}},
	}
	var names []string
	perProvider := map[string]uint64{}
	for _, meth := range m.Methods {
		names = append(names, meth.Method)
		var order []string
		for _, pp := range meth.Providers {
			order = append(order, pp.Provider)
			w, ok := want[meth.Method][pp.Provider]
			if !ok || pp.TotalCalls != w.calls || !near(pp.SuccessRate, w.success, 0) || !near(pp.Avg, w.avg, 1e-9) ||
				!near(pp.P50, w.avg, w.avg/4) || !near(pp.P95, w.avg, w.avg/4) {
				t.Errorf("%s/%s: got %d calls, success %v, avg %v, p50 %v, p95 %v; want %+v", meth.Method, pp.Provider,
					pp.TotalCalls, deref(pp.SuccessRate), deref(pp.Avg), deref(pp.P50), deref(pp.P95), w)
			}
			perProvider[pp.Provider] += pp.TotalCalls
		}
		if strings.Join(order, ",") != "a,b" {
			t.Errorf("%s: providers %v, want a,b", meth.Method, order)
		}
	}
	if strings.Join(names, ",") != "eth_blockNumber,eth_call" {
		t.Errorf("methods: got %v, want eth_blockNumber,eth_call", names)
	}
	if perProvider["a"] != a.TotalCalls || perProvider["b"] != b.TotalCalls {
		t.Errorf("method breakdown %v does not add up to provider totals a %d b %d", perProvider, a.TotalCalls, b.TotalCalls)
	}

	// A minute on, the window is empty and the totals stay.
	r.clock.Advance(time.Minute)
	m = getMetrics(t, r, "ethereum")
	if m.Perf.TotalCalls != 12 || m.Perf.CallsLastMinute != 0 || m.Perf.FailoversLastMinute != 0 ||
		m.Perf.PerSecond != 0 || m.Perf.ErrorRate != 0 || m.Providers[0].CallsLastMinute != 0 {
		t.Errorf("after a minute: got %+v", m.Perf)
	}

	// Base has its own figures.
	if m := getMetrics(t, r, "8453"); m.Chain != "base" || m.Perf.TotalCalls != 1 || m.Providers[0].TotalCalls != 1 {
		t.Errorf("base: got %+v %+v", m.Perf, m.Providers)
	}
}

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// With no calls, figures that need calls are null, and every configured
// provider is still listed.
func TestMetricsEmpty(t *testing.T) {
	r := newRig(t, nil)
	w := r.do(http.MethodGet, "/api/metrics/eth", "")
	for _, frag := range []string{`"success_rate":null`, `"p50_latency":null`, `"p95_latency":null`,
		`"avg_latency_ms":null`, `"rpc_performance_by_method":[]`, `"connected_providers":2`, `"total_providers":2`,
		`"id":"a"`, `"id":"b"`, `"scope":"process"`} {
		if !strings.Contains(w.Body.String(), frag) {
			t.Errorf("body lacks %s: %s", frag, w.Body)
		}
	}
	m := getMetrics(t, r, "eth")
	if m.LastUpdated != m.Timestamp {
		t.Errorf("last_updated %d, want the timestamp %d when nothing was recorded", m.LastUpdated, m.Timestamp)
	}
}

func TestMetricsUnknownChain(t *testing.T) {
	r := newRig(t, nil)
	for _, chain := range []string{"nochain", "999", "team"} {
		w := r.do(http.MethodGet, "/api/metrics/"+chain, "")
		wantRPCError(t, w, http.StatusBadRequest, -32602,
			fmt.Sprintf("Unsupported chain: Unknown chain '%s' in profile 'public'", chain))
	}
	// Without a public profile, the profile is what is missing.
	team := loadConfig(t, map[string]string{"p/team.yml": teamYAML})
	r = newRig(t, func(o *Options) { o.Config = func() *profile.Config { return team } })
	wantRPCError(t, r.do(http.MethodGet, "/api/metrics/eth", ""), http.StatusNotFound, -32000, "Profile 'public' not found")
}

// The recorder's cap shows as dropped calls.
func TestMetricsDropped(t *testing.T) {
	r := newRig(t, func(o *Options) { o.MaxSeries = 1 })
	r.pipe.serve = scripted
	r.post("/rpc/eth", script("eth_blockNumber", "a", 1, "ok", 1))
	r.post("/rpc/eth", script("eth_call", "a", 1, "ok", 1))
	r.post("/rpc/eth", script("eth_call", "a", 1, "ok", 1))
	m := getMetrics(t, r, "eth")
	if m.DroppedCalls != 2 || m.Perf.TotalCalls != 1 {
		t.Errorf("got %d dropped, %d recorded; want 2, 1", m.DroppedCalls, m.Perf.TotalCalls)
	}
}
