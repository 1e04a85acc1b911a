package method

import "testing"

var lookupNames = []string{"eth_call", "eth_getLogs", "eth_subscribe", "eth_doesNotExist"}

// lookupAll does every lookup a request makes, without short-circuiting, so
// unknown names exercise all three maps too.
func lookupAll(name string) bool {
	valid := CategoryOf(name).Valid()
	safe := SafetyOf(name).ReplaySafe()
	timed := Timeout(name) > 0
	return valid && safe && timed
}

func TestLookupDoesNotAllocate(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		for _, name := range lookupNames {
			lookupAll(name)
		}
	})
	if allocs != 0 {
		t.Errorf("lookups: got %v allocs per run, want 0", allocs)
	}
}

func BenchmarkLookup(b *testing.B) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		lookupAll(lookupNames[i%len(lookupNames)])
		i++
	}
}
