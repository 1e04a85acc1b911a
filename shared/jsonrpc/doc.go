// Package jsonrpc owns the JSON-RPC 2.0 wire format as the router speaks it:
// decoding client bodies (single calls and batches) into calls, encoding
// responses, and checking upstream responses before their bytes are passed
// back to the client.
//
// It knows nothing of HTTP, providers or routing. Which error code a routing
// failure becomes is decided once, in httpapi; this package only supplies the
// Error value and the few standard codes every layer shares.
package jsonrpc
