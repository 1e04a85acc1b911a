package httpapi

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lasso-serverless/lasso/shared/proxy"
)

// recorder keeps call counts and latencies per (profile, chain, provider,
// method) for /api/metrics, fed by the handler's per-call log path. It is
// what this process has served since it started: on Lambda that is one
// container's share of the traffic (the endpoint says scope "process");
// fleet-wide figures need metrics the containers publish, which are not
// built yet.
//
// Memory is bounded: at most max series, each a fixed-size histogram and
// window; calls of a new series beyond the cap are not recorded, only
// counted (clients choose method names, so the set is not ours to bound).
// In the steady state recording takes a read lock, a map lookup and the
// series' own lock, and allocates nothing.
type recorder struct {
	mu      sync.RWMutex
	series  map[seriesKey]*series
	max     int
	dropped atomic.Int64
	started time.Time
}

type seriesKey struct{ profile, chain, provider, method string }

// maxMethodLen: longer method names are recorded as otherMethod, so that a
// client cannot make the recorder keep large strings.
const (
	maxMethodLen = 64
	otherMethod  = "(other)"
)

// The "last minute" window: windowSlots slots of windowSlot each, so it
// covers between 55 and 60 seconds.
const (
	windowSlot  = 5 * time.Second
	windowSlots = 12
	windowSpan  = windowSlot * windowSlots
)

// series is one key's figures: totals since the process started and a
// sliding window.
type series struct {
	mu        sync.Mutex
	calls     uint64
	failures  uint64
	failovers uint64
	latency   histogram
	window    [windowSlots]slot
	last      time.Time
}

// slot counts the calls of one windowSlot; epoch says which (a slot whose
// epoch is stale is reused).
type slot struct {
	epoch     int64
	calls     uint32
	failures  uint32
	failovers uint32
}

// outcome is what the recorder learns of one call.
type outcome struct {
	ok bool
	// latency is the upstream time, when measured (the call was sent).
	latency  time.Duration
	measured bool
	// failovers are the upstream dispatches after the first.
	failovers int
}

// recordCall records one served call. Calls answered locally (eth_chainId)
// say nothing about providers and are left out. A call is a failure when
// the pipeline failed it: a JSON-RPC error the provider sent (a revert) is
// an answer, as it is to routing. Its latency is the upstream time of the
// answering attempt, so a provider is measured, not the router.
func (h *Handler) recordCall(c *proxy.Call, cause error, now time.Time) {
	if c.Meta.Local {
		return
	}
	h.recorder.record(
		seriesKey{c.Profile.Slug, c.Chain.Key, c.Meta.Provider, c.Request.Method},
		outcome{ok: cause == nil, latency: c.Meta.Upstream, measured: c.Meta.Attempts > 0, failovers: max(c.Meta.Attempts-1, 0)},
		now)
}

func newRecorder(max int, now time.Time) *recorder {
	return &recorder{series: map[seriesKey]*series{}, max: max, started: now}
}

func (r *recorder) record(k seriesKey, o outcome, now time.Time) {
	if len(k.method) > maxMethodLen {
		k.method = otherMethod
	}
	r.mu.RLock()
	s := r.series[k]
	r.mu.RUnlock()
	if s == nil {
		if s = r.add(k); s == nil {
			r.dropped.Add(1)
			return
		}
	}
	epoch := now.UnixNano() / int64(windowSlot)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	w := &s.window[epoch%windowSlots]
	if w.epoch != epoch {
		*w = slot{epoch: epoch}
	}
	w.calls++
	if !o.ok {
		s.failures++
		w.failures++
	}
	if o.failovers > 0 {
		s.failovers += uint64(o.failovers)
		w.failovers += uint32(o.failovers)
	}
	if o.measured {
		s.latency.add(o.latency)
	}
	if now.After(s.last) {
		s.last = now
	}
}

// add makes k's series, or returns nil at the cap. The key's strings are
// cloned: the map outlives the request they came from.
func (r *recorder) add(k seriesKey) *series {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s, ok := r.series[k]; ok {
		return s
	}
	if len(r.series) >= r.max {
		return nil
	}
	k = seriesKey{strings.Clone(k.profile), strings.Clone(k.chain), strings.Clone(k.provider), strings.Clone(k.method)}
	s := &series{}
	r.series[k] = s
	return s
}

// seriesStats is a copy of one series' figures at a moment.
type seriesStats struct {
	provider, method            string
	calls, failures, failovers  uint64
	recentCalls, recentFailures uint64
	recentFailovers             uint64
	latency                     histogram
	last                        time.Time
}

// chain copies the figures of every series of one profile's chain, with
// the window read at now.
func (r *recorder) chain(profile, chain string, now time.Time) []seriesStats {
	epoch := now.UnixNano() / int64(windowSlot)
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []seriesStats
	for k, s := range r.series {
		if k.profile != profile || k.chain != chain {
			continue
		}
		st := seriesStats{provider: k.provider, method: k.method}
		s.mu.Lock()
		st.calls, st.failures, st.failovers = s.calls, s.failures, s.failovers
		st.latency, st.last = s.latency, s.last
		for _, w := range s.window {
			if w.epoch > epoch-windowSlots && w.epoch <= epoch {
				st.recentCalls += uint64(w.calls)
				st.recentFailures += uint64(w.failures)
				st.recentFailovers += uint64(w.failovers)
			}
		}
		s.mu.Unlock()
		out = append(out, st)
	}
	return out
}
