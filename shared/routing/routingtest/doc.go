// Package routingtest holds the contract every routing.Store must keep, so
// that the in-process store and the Redis one are tested by the same suite.
package routingtest
