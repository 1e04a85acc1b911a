// Package breakertest holds the contract every breaker.Store must honour,
// written once and run against each implementation (Memory here, Redis in
// its adapter), so that swapping the store cannot change how breakers behave.
//
// It owns no fakes of its own: the breaker is a pure state machine, and
// tests drive its time by passing explicit instants.
package breakertest
