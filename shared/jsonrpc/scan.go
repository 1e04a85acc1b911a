package jsonrpc

import (
	"bytes"
	"encoding/json"
)

// member is one top-level member of a JSON object.
type member struct {
	key        []byte // unescaped
	val        []byte
	start, end int // val's position in the object's bytes
}

// members lists the top-level members of obj, which must be valid JSON. It
// is false when obj is not an object.
//
// encoding/json would match "ID" to an "id" field and re-encode values;
// JSON-RPC member names are case-sensitive and upstream bytes must pass
// through untouched, so the router reads envelopes itself.
func members(obj []byte, fn func(m member) bool) bool {
	i := SkipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return false
	}
	i = SkipSpace(obj, i+1)
	for i < len(obj) && obj[i] != '}' {
		keyEnd := SkipValue(obj, i)
		if obj[i] != '"' || keyEnd < 0 {
			return false
		}
		key := obj[i+1 : keyEnd-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			var k string
			_ = json.Unmarshal(obj[i:keyEnd], &k)
			key = []byte(k)
		}
		i = SkipSpace(obj, SkipSpace(obj, keyEnd)+1) // past the colon
		end := SkipValue(obj, i)
		if end < 0 {
			return false
		}
		if !fn(member{key: key, val: obj[i:end], start: i, end: end}) {
			return true
		}
		i = SkipSpace(obj, end)
		if i < len(obj) && obj[i] == ',' {
			i = SkipSpace(obj, i+1)
		}
	}
	return true
}

// decodeString decodes a JSON string value, without encoding/json's
// machinery in the common case of no escapes.
func decodeString(val []byte) (string, bool) {
	if len(val) < 2 || val[0] != '"' {
		return "", false
	}
	if bytes.IndexByte(val, '\\') < 0 {
		return string(val[1 : len(val)-1]), true
	}
	var s string
	return s, json.Unmarshal(val, &s) == nil
}

// stringEquals reports whether the JSON string val decodes to want.
func stringEquals(val []byte, want string) bool {
	if len(val) < 2 || val[0] != '"' {
		return false
	}
	if bytes.IndexByte(val, '\\') < 0 {
		return string(val[1:len(val)-1]) == want
	}
	var s string
	return json.Unmarshal(val, &s) == nil && s == want
}

// The scanner below reads JSON without decoding it. The router's own
// envelopes are validated first; a provider's error data (read by classify)
// may be anything, so every index is bounds-checked and malformed input ends
// a walk quietly (-1) instead of panicking.

// SkipSpace returns the index of the first non-space byte at or after i.
func SkipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// SkipValue returns the index just past the JSON value starting at b[i], or
// -1 when there is none or it is not closed.
func SkipValue(b []byte, i int) int {
	if i < 0 || i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return endString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				if i = endString(b, i); i < 0 {
					return -1
				}
				i--
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return -1
	}
	for ; i < len(b); i++ {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
	}
	return i
}

// endString returns the index just past the string opening at b[i], or -1.
func endString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// EachMember calls fn with the raw key (escapes left as they are) and the
// raw value of every member of the object at b[i] ('{'), until fn returns
// false or the object ends or turns out malformed.
func EachMember(b []byte, i int, fn func(key, val []byte) bool) {
	i++
	for {
		i = SkipSpace(b, i)
		if i >= len(b) || b[i] != '"' {
			return
		}
		end := endString(b, i)
		if end < 0 {
			return
		}
		key := b[i+1 : end-1]
		i = SkipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return
		}
		i = SkipSpace(b, i+1)
		vend := SkipValue(b, i)
		if vend <= i {
			return
		}
		if !fn(key, b[i:vend]) {
			return
		}
		i = SkipSpace(b, vend)
		if i >= len(b) || b[i] != ',' {
			return
		}
		i++
	}
}

// appendString encodes s as a JSON string. Unlike encoding/json it leaves
// <, > and & alone: a provider's message must reach the client as it was.
func appendString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}
