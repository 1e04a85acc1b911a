// Package httpapi is the router's HTTP face: routes, CORS, request ids, body
// limits, batches, the health endpoints, one log line per call, and the one
// table that turns every failure into a JSON-RPC error and an HTTP status.
//
// It is a plain http.Handler: the local server serves it directly and the
// Lambda functions serve it through an API Gateway adapter, so both speak
// the same wire contract. Routing and forwarding happen behind the
// proxy.Handler it is given.
package httpapi
