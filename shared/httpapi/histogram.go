package httpapi

import (
	"math/bits"
	"time"
)

// histogram counts latencies in fixed log-linear buckets: four per power of
// two of microseconds, so a bucket is at most 25 % wide from 1 µs up to
// 2^28 µs (4.5 minutes, beyond any upstream deadline; longer samples land
// in the last bucket). Recording is an index computation and an increment,
// with no allocation, and a percentile costs one pass over 108 counters:
// cheaper and more predictable than a reservoir, at the price of
// percentiles accurate to within a bucket (interpolated inside it).
type histogram struct {
	counts [histBuckets]uint64
	n      uint64
	sumUS  uint64
}

const (
	histSub     = 4  // buckets per power of two
	histMaxExp  = 27 // the last power of two with buckets of its own
	histBuckets = histSub * histMaxExp
)

// bucketOf is the bucket of a latency of us microseconds.
func bucketOf(us uint64) int {
	if us < histSub {
		return int(us)
	}
	e := bits.Len64(us) - 1 // floor(log2 us), at least 2
	if e > histMaxExp {
		return histBuckets - 1
	}
	return histSub*(e-1) + int((us>>(e-2))&(histSub-1))
}

// bucketBounds is the range [lo, hi) of microseconds bucket i counts.
func bucketBounds(i int) (lo, hi uint64) {
	if i < histSub {
		return uint64(i), uint64(i) + 1
	}
	e, m := i/histSub+1, uint64(i%histSub)
	return (histSub + m) << (e - 2), (histSub + m + 1) << (e - 2)
}

func (h *histogram) add(d time.Duration) {
	us := uint64(max(d.Microseconds(), 0))
	h.counts[bucketOf(us)]++
	h.n++
	h.sumUS += us
}

// merge adds o's counts, for chain-wide percentiles.
func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.sumUS += o.sumUS
}

// quantile is the q-th quantile (0 < q ≤ 1) in milliseconds, interpolated
// linearly inside its bucket; ok is false without samples.
func (h *histogram) quantile(q float64) (float64, bool) {
	if h.n == 0 {
		return 0, false
	}
	rank := q * float64(h.n)
	var seen uint64
	for i, c := range h.counts {
		if c == 0 {
			continue
		}
		if float64(seen+c) >= rank {
			lo, hi := bucketBounds(i)
			frac := (rank - float64(seen)) / float64(c)
			return (float64(lo) + frac*float64(hi-lo)) / 1000, true
		}
		seen += c
	}
	lo, _ := bucketBounds(histBuckets - 1)
	return float64(lo) / 1000, true
}

// mean is the average latency in milliseconds; ok is false without samples.
func (h *histogram) mean() (float64, bool) {
	if h.n == 0 {
		return 0, false
	}
	return float64(h.sumUS) / float64(h.n) / 1000, true
}
