// Package rpcclient sends JSON-RPC requests to providers over HTTP, with
// pooled keep-alive connections. It implements proxy.Transport.
//
// It knows nothing of failover or error meaning: it reports what the
// provider answered (status, body, Retry-After) or why there was no answer,
// and whether the request may have left the process. Its errors never carry
// a provider URL, which is where API keys live.
package rpcclient
