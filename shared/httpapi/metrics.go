package httpapi

import (
	"cmp"
	"context"
	"math"
	"net/http"
	"runtime"
	"runtime/metrics"
	"slices"
	"time"

	"github.com/lasso-serverless/lasso/shared/profile"
)

// The /api/metrics/<chain> shape: Lasso's (reference 8) as far as one
// process knows it. Rates are 0..1, latencies milliseconds, times Unix
// milliseconds; a figure with no calls behind it is null rather than 0.
type (
	metricsBody struct {
		Chain     string `json:"chain"`
		ChainID   int64  `json:"chain_id"`
		Timestamp int64  `json:"timestamp"`
		// Scope says whose figures these are: this process's (one Lambda
		// container's), since Since.
		Scope        string `json:"scope"`
		Since        int64  `json:"since"`
		DroppedCalls int64  `json:"dropped_calls"`

		SystemMetrics          systemMetrics       `json:"system_metrics"`
		ChainPerformance       chainPerformance    `json:"chain_performance"`
		Providers              []providerMetrics   `json:"providers"`
		RPCPerformanceByMethod []methodPerformance `json:"rpc_performance_by_method"`
		LastUpdated            int64               `json:"last_updated"`
	}
	systemMetrics struct {
		MemoryMB   float64 `json:"memory_mb"`
		Goroutines int     `json:"goroutines"` // Lasso's process_count
		NumCPU     int     `json:"num_cpu"`
	}
	chainPerformance struct {
		TotalCalls          uint64   `json:"total_calls"`
		SuccessRate         *float64 `json:"success_rate"`
		P50Latency          *float64 `json:"p50_latency"`
		P95Latency          *float64 `json:"p95_latency"`
		FailoversLastMinute uint64   `json:"failovers_last_minute"`
		CallsLastMinute     uint64   `json:"calls_last_minute"`
		ConnectedProviders  int      `json:"connected_providers"`
		TotalProviders      int      `json:"total_providers"`
		RPCCallsPerSecond   float64  `json:"rpc_calls_per_second"`
		ErrorRatePercent    float64  `json:"error_rate_percent"`
		// UnroutedCalls failed before any provider was tried (every breaker
		// open, no candidate): they count in TotalCalls but belong to no
		// provider.
		UnroutedCalls uint64 `json:"unrouted_calls"`
	}
	providerMetrics struct {
		ID              string   `json:"id"`
		Name            string   `json:"name"`
		Score           float64  `json:"score"`
		SuccessRate     *float64 `json:"success_rate"`
		TotalCalls      uint64   `json:"total_calls"`
		AvgLatencyMS    *float64 `json:"avg_latency_ms"`
		CallsLastMinute uint64   `json:"calls_last_minute"`
	}
	methodPerformance struct {
		Method    string               `json:"method"`
		Providers []methodProviderPerf `json:"providers"`
	}
	methodProviderPerf struct {
		Provider    string   `json:"provider"`
		AvgLatency  *float64 `json:"avg_latency"`
		P50Latency  *float64 `json:"p50_latency"`
		P95Latency  *float64 `json:"p95_latency"`
		SuccessRate *float64 `json:"success_rate"`
		TotalCalls  uint64   `json:"total_calls"`
	}
)

// metrics serves /api/metrics/<chain> for the default profile, the chain
// named as the RPC routes name it (key, alias or decimal id).
func (h *Handler) metrics(w http.ResponseWriter, r *http.Request, segment string) {
	if !h.authorized(w, r) {
		return
	}
	p, ok := lookupProfile(h.opts.Config(), profile.DefaultProfile)
	if !ok {
		writeError(w, &unknownProfileError{profile: profile.DefaultProfile})
		return
	}
	c, ok := p.Chain(segment)
	if !ok {
		writeError(w, &unknownChainError{chain: segment, profile: p.Slug})
		return
	}
	writeJSON(w, http.StatusOK, h.chainMetrics(r.Context(), p, c))
}

// chainMetrics adds up the recorder's series of one chain.
func (h *Handler) chainMetrics(ctx context.Context, p *profile.Profile, c *profile.Chain) metricsBody {
	now := h.opts.Now()
	stats := h.recorder.chain(p.Slug, c.Key, now)
	body := metricsBody{
		Chain:         c.Key,
		ChainID:       c.ID,
		Timestamp:     now.UnixMilli(),
		Scope:         "process",
		Since:         h.recorder.started.UnixMilli(),
		DroppedCalls:  h.recorder.dropped.Load(),
		SystemMetrics: readSystemMetrics(),
		LastUpdated:   now.UnixMilli(), // Lasso's default when nothing was recorded
	}
	rep := h.inspect(ctx, p, c)
	perf := &body.ChainPerformance
	perf.TotalProviders = len(rep.Providers)
	for _, pr := range rep.Providers {
		if serving(pr) {
			perf.ConnectedProviders++
		}
	}

	// Providers: every configured one in the chain's order, then any that
	// only the recorder knows (removed by a reload since it served calls).
	byProvider := map[string]*providerTotals{}
	order := make([]string, 0, len(c.Providers))
	for _, pr := range c.Providers {
		byProvider[pr.ID] = &providerTotals{name: pr.Name}
		order = append(order, pr.ID)
	}
	var chainHist histogram
	var last time.Time
	var failures, recentFailures uint64
	byMethod := map[string][]seriesStats{}
	for _, st := range stats {
		perf.TotalCalls += st.calls
		perf.CallsLastMinute += st.recentCalls
		perf.FailoversLastMinute += st.recentFailovers
		failures += st.failures
		recentFailures += st.recentFailures
		chainHist.merge(&st.latency)
		if st.last.After(last) {
			last = st.last
		}
		if st.provider == "" {
			perf.UnroutedCalls += st.calls
			continue
		}
		t, ok := byProvider[st.provider]
		if !ok {
			t = &providerTotals{name: st.provider}
			byProvider[st.provider] = t
			order = append(order, st.provider)
		}
		t.calls += st.calls
		t.failures += st.failures
		t.recentCalls += st.recentCalls
		t.latency.merge(&st.latency)
		byMethod[st.method] = append(byMethod[st.method], st)
	}
	perf.SuccessRate = successRate(perf.TotalCalls, failures)
	perf.P50Latency = quantile(&chainHist, 0.50)
	perf.P95Latency = quantile(&chainHist, 0.95)
	perf.RPCCallsPerSecond = round(float64(perf.CallsLastMinute)/windowSpan.Seconds(), 3)
	if perf.CallsLastMinute > 0 {
		perf.ErrorRatePercent = round(100*float64(recentFailures)/float64(perf.CallsLastMinute), 2)
	}
	if !last.IsZero() {
		body.LastUpdated = last.UnixMilli()
	}

	rank := make(map[string]int, len(order))
	body.Providers = make([]providerMetrics, 0, len(order))
	for i, id := range order {
		rank[id] = i
		t := byProvider[id]
		body.Providers = append(body.Providers, providerMetrics{
			ID:              id,
			Name:            t.name,
			Score:           t.score(),
			SuccessRate:     successRate(t.calls, t.failures),
			TotalCalls:      t.calls,
			AvgLatencyMS:    mean(&t.latency),
			CallsLastMinute: t.recentCalls,
		})
	}

	body.RPCPerformanceByMethod = make([]methodPerformance, 0, len(byMethod))
	for m, sts := range byMethod {
		slices.SortFunc(sts, func(a, b seriesStats) int { return cmp.Compare(rank[a.provider], rank[b.provider]) })
		mp := methodPerformance{Method: m, Providers: make([]methodProviderPerf, 0, len(sts))}
		for i := range sts {
			st := &sts[i]
			mp.Providers = append(mp.Providers, methodProviderPerf{
				Provider:    st.provider,
				AvgLatency:  mean(&st.latency),
				P50Latency:  quantile(&st.latency, 0.50),
				P95Latency:  quantile(&st.latency, 0.95),
				SuccessRate: successRate(st.calls, st.failures),
				TotalCalls:  st.calls,
			})
		}
		body.RPCPerformanceByMethod = append(body.RPCPerformanceByMethod, mp)
	}
	slices.SortFunc(body.RPCPerformanceByMethod, func(a, b methodPerformance) int { return cmp.Compare(a.Method, b.Method) })
	return body
}

// providerTotals adds up one provider's series.
type providerTotals struct {
	name                         string
	calls, failures, recentCalls uint64
	latency                      histogram
}

// score ranks providers the way Lasso's leaderboard does (success rate,
// damped by slowness, weighted by the log of the sample size), with the
// average latency standing in for Lasso's race margin: a provider that
// answers everything in 100 ms over 1,000 calls scores 1.5.
func (t *providerTotals) score() float64 {
	if t.calls == 0 {
		return 0
	}
	rate := float64(t.calls-t.failures) / float64(t.calls)
	avg, _ := t.latency.mean()
	return round(rate/(1+avg/100)*math.Log10(float64(t.calls)), 2)
}

func successRate(calls, failures uint64) *float64 {
	if calls == 0 {
		return nil
	}
	r := round(float64(calls-failures)/float64(calls), 4)
	return &r
}

func quantile(h *histogram, q float64) *float64 {
	v, ok := h.quantile(q)
	if !ok {
		return nil
	}
	v = round(v, 3)
	return &v
}

func mean(h *histogram) *float64 {
	v, ok := h.mean()
	if !ok {
		return nil
	}
	v = round(v, 3)
	return &v
}

func round(f float64, places int) float64 {
	p := math.Pow10(places)
	return math.Round(f*p) / p
}

// readSystemMetrics reads the Go runtime's figures (Lasso reports the
// BEAM's). runtime/metrics does not stop the world, as ReadMemStats does.
func readSystemMetrics() systemMetrics {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	metrics.Read(s)
	var mb float64
	if s[0].Value.Kind() == metrics.KindUint64 {
		mb = round(float64(s[0].Value.Uint64())/(1<<20), 1)
	}
	return systemMetrics{MemoryMB: mb, Goroutines: runtime.NumGoroutine(), NumCPU: runtime.NumCPU()}
}
