package httpapi

import (
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRecorderCap(t *testing.T) {
	rec := newRecorder(2, epoch)
	ok := outcome{ok: true, measured: true, latency: time.Millisecond}
	rec.record(seriesKey{"public", "ethereum", "a", "eth_call"}, ok, epoch)
	rec.record(seriesKey{"public", "ethereum", "a", "eth_blockNumber"}, ok, epoch)
	rec.record(seriesKey{"public", "ethereum", "a", "eth_getLogs"}, ok, epoch) // a third series: dropped
	rec.record(seriesKey{"public", "ethereum", "b", "eth_call"}, ok, epoch)    // and a fourth
	rec.record(seriesKey{"public", "ethereum", "a", "eth_call"}, ok, epoch)    // known series go on
	if got := rec.dropped.Load(); got != 2 {
		t.Errorf("dropped: got %d, want 2", got)
	}
	calls := map[string]uint64{}
	for _, st := range rec.chain("public", "ethereum", epoch) {
		calls[st.provider+" "+st.method] = st.calls
	}
	if len(calls) != 2 || calls["a eth_call"] != 2 || calls["a eth_blockNumber"] != 1 {
		t.Errorf("series: got %v, want a eth_call 2, a eth_blockNumber 1", calls)
	}
}

// Client-chosen method names cannot make the recorder hold large strings.
func TestRecorderLongMethod(t *testing.T) {
	rec := newRecorder(10, epoch)
	for _, m := range []string{strings.Repeat("x", 65), strings.Repeat("y", 10_000)} {
		rec.record(seriesKey{"public", "ethereum", "a", m}, outcome{ok: true}, epoch)
	}
	rec.record(seriesKey{"public", "ethereum", "a", strings.Repeat("z", 64)}, outcome{ok: true}, epoch)
	got := map[string]uint64{}
	for _, st := range rec.chain("public", "ethereum", epoch) {
		got[st.method] = st.calls
	}
	if len(got) != 2 || got[otherMethod] != 2 || got[strings.Repeat("z", 64)] != 1 {
		t.Errorf("got %v, want 2 calls under %q and the 64-byte name kept", got, otherMethod)
	}
}

func TestRecorderWindow(t *testing.T) {
	k := seriesKey{"public", "ethereum", "a", "eth_call"}
	tests := []struct {
		name               string
		at                 []time.Duration // when calls are recorded, from epoch
		failed             []bool
		readAt             time.Duration
		recent, recentFail uint64
	}{
		{"all within the minute", []time.Duration{0, 10 * time.Second, 50 * time.Second}, []bool{false, true, false}, 55 * time.Second, 3, 1},
		{"older slots age out", []time.Duration{0, 10 * time.Second, 50 * time.Second}, []bool{true, false, false}, 61 * time.Second, 2, 0},
		{"nothing recent", []time.Duration{0, time.Second}, []bool{false, false}, 5 * time.Minute, 0, 0},
		// A slot is reused after the window wraps: the old count is gone.
		{"slot reuse", []time.Duration{0, 60 * time.Second}, []bool{true, false}, 60 * time.Second, 1, 0},
	}
	for _, tt := range tests {
		rec := newRecorder(10, epoch)
		for i, d := range tt.at {
			rec.record(k, outcome{ok: !tt.failed[i], failovers: 1}, epoch.Add(d))
		}
		sts := rec.chain("public", "ethereum", epoch.Add(tt.readAt))
		if len(sts) != 1 {
			t.Fatalf("%s: got %d series", tt.name, len(sts))
		}
		st := sts[0]
		if st.recentCalls != tt.recent || st.recentFailures != tt.recentFail || st.recentFailovers != tt.recent {
			t.Errorf("%s: recent calls/failures/failovers %d/%d/%d, want %d/%d/%d",
				tt.name, st.recentCalls, st.recentFailures, st.recentFailovers, tt.recent, tt.recentFail, tt.recent)
		}
		if st.calls != uint64(len(tt.at)) {
			t.Errorf("%s: total calls %d, want %d (totals never age out)", tt.name, st.calls, len(tt.at))
		}
	}
}

func TestRecorderConcurrent(t *testing.T) {
	rec := newRecorder(4096, epoch)
	methods := []string{"eth_call", "eth_blockNumber", "eth_getLogs"}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				k := seriesKey{"public", "ethereum", []string{"a", "b"}[g%2], methods[i%3]}
				rec.record(k, outcome{ok: i%10 != 0, measured: true, latency: time.Duration(i) * time.Microsecond}, epoch)
			}
		}()
	}
	// Reads run alongside the writers.
	for range 10 {
		rec.chain("public", "ethereum", epoch)
	}
	wg.Wait()
	var calls, failures uint64
	for _, st := range rec.chain("public", "ethereum", epoch) {
		calls += st.calls
		failures += st.failures
		if st.latency.n != st.calls {
			t.Errorf("%s %s: %d latency samples for %d calls", st.provider, st.method, st.latency.n, st.calls)
		}
	}
	if calls != 8000 || failures != 800 {
		t.Errorf("got %d calls, %d failures; want 8000, 800", calls, failures)
	}
}

// Recording into a known series allocates nothing.
func TestRecordAllocs(t *testing.T) {
	rec := newRecorder(16, epoch)
	k := seriesKey{"public", "ethereum", "a", "eth_call"}
	o := outcome{ok: true, measured: true, latency: 12 * time.Millisecond, failovers: 1}
	rec.record(k, o, epoch)
	if n := testing.AllocsPerRun(1000, func() { rec.record(k, o, epoch) }); n != 0 {
		t.Errorf("record: %v allocations per call, want 0", n)
	}
}

func BenchmarkRecord(b *testing.B) {
	rec := newRecorder(4096, epoch)
	keys := make([]seriesKey, 0, 64)
	for _, p := range []string{"a", "b", "c", "d"} {
		for _, m := range []string{"eth_call", "eth_blockNumber", "eth_getLogs", "eth_getBalance",
			"eth_chainId", "eth_getBlockByNumber", "eth_estimateGas", "eth_gasPrice",
			"eth_getTransactionReceipt", "eth_getCode", "eth_getStorageAt", "eth_feeHistory",
			"net_version", "eth_sendRawTransaction", "eth_getTransactionCount", "eth_maxPriorityFeePerGas"} {
			keys = append(keys, seriesKey{"public", "ethereum", p, m})
		}
	}
	o := outcome{ok: true, measured: true, latency: 37 * time.Millisecond}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			rec.record(keys[i%len(keys)], o, epoch)
			i++
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				rec.record(keys[i%len(keys)], o, epoch)
				i++
			}
		})
	})
}
