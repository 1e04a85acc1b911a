package lambdatest

import "regexp"

// What the emulator writes about an invocation, for WaitOutput.
var (
	// InitReport is the runtime's init phase as rapid logs it: exec of the
	// bootstrap until its first request for work. Group 1 is milliseconds.
	InitReport = regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9.]+)\)`)
	// ReportLine is the REPORT line that ends every invocation.
	ReportLine = regexp.MustCompile(`REPORT RequestId: [^\n]*\n`)
	// InitDuration is a REPORT line's "Init Duration", present on a cold
	// invocation only; this emulator measures it around an asynchronous
	// call and so reports about 0. Group 1 is milliseconds.
	InitDuration = regexp.MustCompile(`Init Duration: ([0-9.]+) ms`)

	runDuration = regexp.MustCompile(`\tDuration: ([0-9.]+) ms`)
)

// Duration names a REPORT line's run duration for a test's log.
func Duration(report string) string {
	if m := runDuration.FindStringSubmatch(report); m != nil {
		return "Duration " + m[1] + " ms"
	}
	return "no Duration"
}
