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
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return false
	}
	i = skipSpace(obj, i+1)
	for i < len(obj) && obj[i] != '}' {
		keyEnd := skipValue(obj, i)
		key := obj[i+1 : keyEnd-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			var k string
			_ = json.Unmarshal(obj[i:keyEnd], &k)
			key = []byte(k)
		}
		i = skipSpace(obj, skipSpace(obj, keyEnd)+1) // past the colon
		end := skipValue(obj, i)
		if !fn(member{key: key, val: obj[i:end], start: i, end: end}) {
			return true
		}
		i = skipSpace(obj, end)
		if i < len(obj) && obj[i] == ',' {
			i = skipSpace(obj, i+1)
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

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the index just past the JSON value starting at i. The
// input is already known to be valid JSON, so only strings and nesting matter.
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return i
	default:
		for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' &&
			b[i] != '\n' && b[i] != '\r' && b[i] != '\t' {
			i++
		}
		return i
	}
}

func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
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
