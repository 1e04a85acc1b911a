// Package probetest holds the contract every probe.Store must keep, written
// once and run against each implementation (probe.Memory in shared/probe,
// redisstore.Probes on a standalone Redis and on a cluster), so that the
// local server and the Lambdas read the same probe records the same way.
//
// Instants are promised to the millisecond, not beyond: a store may keep
// them as unix milliseconds, as redisstore keeps its other states. The
// suite therefore writes instants with sub-millisecond parts and compares
// them, truncated to the millisecond, with time.Equal (the instant, not its
// location or monotonic reading). Durations and every other field must
// round-trip exactly.
package probetest
