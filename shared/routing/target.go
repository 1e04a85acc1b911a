package routing

import (
	"bytes"
	"strconv"

	"github.com/lasso-serverless/lasso/shared/jsonrpc"
)

// requested is the block number a call names, for the min-block order
// (reference 3.2 "requested block"): the last parameter of the state
// methods (eth_getStorageAt needs three, the others two) or the first of
// eth_getBlockByNumber, when it is a number; tags name none. Every call of
// these methods on a probed chain asks, so it reads the parameters in place
// and a plain string costs no allocation; only an EIP-1898 object (or a
// string with escapes) is decoded.
func requested(req jsonrpc.Request) (uint64, bool) {
	atLeast, first := 2, false
	switch {
	case req.Method == "eth_getBlockByNumber":
		atLeast, first = 1, true
	case req.Method == "eth_getStorageAt":
		atLeast = 3 // the second parameter is a slot, not a block
	case !stateMethods[req.Method]:
		return 0, false
	}
	n, head, tail := arrayEnds(req.Params)
	if n < atLeast {
		return 0, false
	}
	raw := tail
	if first {
		raw = head
	}
	if s, ok := plainString(raw); ok {
		hex, ok := bytes.CutPrefix(s, []byte("0x"))
		if !ok {
			return 0, false // a tag, or not a block
		}
		// A conversion passed straight to ParseUint, which keeps no
		// reference, stays off the heap.
		num, err := strconv.ParseUint(string(hex), 16, 64)
		return num, err == nil
	}
	if len(raw) > 0 && (raw[0] == '{' || raw[0] == '"') { // an object, or a string with escapes
		b := parseBlock(raw, 0)
		return b.number, b.known && !b.tag
	}
	return 0, false
}

// plainString is the content of a JSON string without escapes, in place.
func plainString(raw []byte) ([]byte, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' || bytes.IndexByte(raw, '\\') >= 0 {
		return nil, false
	}
	return raw[1 : len(raw)-1], true
}

// arrayEnds counts the elements of a JSON array and returns its first and
// last, trimmed, as slices of raw. Params are valid JSON (the decoder
// checked them), so tracking strings and nesting is enough to find the
// top-level commas.
func arrayEnds(raw []byte) (n int, first, last []byte) {
	raw = bytes.TrimSpace(raw)
	if len(raw) < 2 || raw[0] != '[' {
		return 0, nil, nil
	}
	depth, inString, start := 0, false, 1
	elem := func(end int) {
		e := bytes.TrimSpace(raw[start:end])
		if len(e) == 0 {
			return // the empty array
		}
		if n == 0 {
			first = e
		}
		last = e
		n++
	}
	for i := 1; i < len(raw); i++ {
		c := raw[i]
		switch {
		case inString:
			if c == '\\' {
				i++
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			if depth == 0 {
				elem(i)
				return n, first, last
			}
			depth--
		case c == ',' && depth == 0:
			elem(i)
			start = i + 1
		}
	}
	return 0, nil, nil
}
