// Command probe is the health-probe Lambda function (bootstrap for
// provided.al2023). An EventBridge schedule invokes it every minute; each
// invocation probes every provider of every profile at its chain's
// probe_interval_ms, concurrently but bounded, until a few seconds before
// its deadline, and writes heads and health to the shared store (Redis)
// where every rpc-http container reads them for lag and archive routing.
// Its eth_blockNumber goes through the router's breakers, so it is the
// half-open trial that brings an upstream back without client traffic.
//
// The local server runs the same prober as a goroutine; this function is
// the serverless form of that loop, since a request-scoped rpc-http
// invocation cannot keep one running.
package main
