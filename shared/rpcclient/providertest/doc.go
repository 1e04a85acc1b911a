// Package providertest runs scripted JSON-RPC providers on httptest servers
// for tests: each answers by a Behaviour (a result, an HTTP status, a
// JSON-RPC error, a hang, garbage) and records every request it received, so
// tests can assert what reached which provider.
package providertest
