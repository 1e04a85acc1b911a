// Package proxy is the request pipeline: the Call that travels through it,
// the Handler and Middleware shapes, the local answers (eth_chainId, methods
// the router refuses), and the Forwarder that sends a call to providers in
// the order a Planner gives, with per-method deadlines and failover.
//
// It declares what it needs from the outside as small interfaces (Planner,
// Transport) and never imports an adapter: the HTTP client, the routing
// strategies and the wire mapping of its errors (httpapi) plug in from app.
package proxy
