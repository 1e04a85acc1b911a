// Package app builds the router from process configuration: it is the one
// place where adapters meet the core, and the request path is written out
// as one readable list (see pipeline). Every entry point (the local server,
// the Lambda functions) calls New, so there is one wiring.
package app
