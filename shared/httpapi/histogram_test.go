package httpapi

import (
	"math"
	"testing"
	"time"
)

func TestBucketBounds(t *testing.T) {
	// Every value lands in the bucket whose bounds hold it, buckets tile
	// the line without gaps, and none is wider than a quarter of its start.
	prevHi := uint64(0)
	for i := range histBuckets {
		lo, hi := bucketBounds(i)
		if lo != prevHi {
			t.Fatalf("bucket %d starts at %d, want %d (the previous end)", i, lo, prevHi)
		}
		if lo >= histSub && float64(hi-lo) > 0.25*float64(lo) {
			t.Errorf("bucket %d [%d, %d) is wider than 25%%", i, lo, hi)
		}
		prevHi = hi
	}
	for _, v := range []uint64{0, 1, 3, 4, 5, 7, 8, 9, 10, 15, 16, 999, 1000, 1023, 1024, 12345, 1 << 20, 1<<28 - 1} {
		i := bucketOf(v)
		if lo, hi := bucketBounds(i); v < lo || v >= hi {
			t.Errorf("bucketOf(%d) = %d, whose bounds [%d, %d) do not hold it", v, i, lo, hi)
		}
	}
	for _, v := range []uint64{1 << 28, 1 << 40, math.MaxUint64} {
		if i := bucketOf(v); i != histBuckets-1 {
			t.Errorf("bucketOf(%d) = %d, want the last bucket", v, i)
		}
	}
}

func TestHistogramQuantiles(t *testing.T) {
	var h histogram
	if _, ok := h.quantile(0.5); ok {
		t.Error("empty histogram has a median")
	}
	if _, ok := h.mean(); ok {
		t.Error("empty histogram has a mean")
	}
	// 1..1000 ms, uniformly.
	for i := 1; i <= 1000; i++ {
		h.add(time.Duration(i) * time.Millisecond)
	}
	tests := []struct{ q, want float64 }{{0.5, 500}, {0.95, 950}, {0.99, 990}, {0.01, 10}}
	for _, tt := range tests {
		got, _ := h.quantile(tt.q)
		if math.Abs(got-tt.want) > 0.25*tt.want {
			t.Errorf("quantile(%v): got %.3f ms, want %v ms within a bucket (25%%)", tt.q, got, tt.want)
		}
	}
	if got, _ := h.mean(); got != 500.5 {
		t.Errorf("mean: got %v, want 500.5 (exact: sums are kept)", got)
	}
	// Merging two halves gives the whole.
	var a, b histogram
	for i := 1; i <= 1000; i++ {
		if i%2 == 0 {
			a.add(time.Duration(i) * time.Millisecond)
		} else {
			b.add(time.Duration(i) * time.Millisecond)
		}
	}
	a.merge(&b)
	if a != h {
		t.Error("merge of two halves differs from the whole")
	}
	// A negative duration (a clock step) counts as zero, not as a huge value.
	var n histogram
	n.add(-time.Second)
	if got, _ := n.quantile(1); got > 0.001 {
		t.Errorf("negative sample: got %v ms, want 0", got)
	}
}
