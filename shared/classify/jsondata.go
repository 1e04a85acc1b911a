package classify

import "github.com/lasso-serverless/lasso/shared/jsonrpc"

// A provider's error "data" may be any JSON value, or not JSON at all. These
// helpers read only what the classifier needs from it, without decoding it
// and without trusting it, through jsonrpc's bounds-checked scanner.

// stringContent returns the raw content of a JSON string value (escapes left
// as they are), or false.
func stringContent(v []byte) ([]byte, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return nil, false
	}
	return v[1 : len(v)-1], true
}

// revertData reports whether data, or data.data, is ABI revert data
// (reference 7.2 item 2). Raw hex that is not JSON counts too.
func revertData(data []byte) bool {
	i := jsonrpc.SkipSpace(data, 0)
	if i >= len(data) {
		return false
	}
	switch data[i] {
	case '"':
		return hasSelector(data[i+1:])
	case '0':
		return hasSelector(data[i:])
	case '{':
		found := false
		jsonrpc.EachMember(data, i, func(key, val []byte) bool {
			if string(key) != "data" {
				return true
			}
			if s, ok := stringContent(val); ok {
				found = hasSelector(s)
			}
			return false
		})
		return found
	}
	return false
}

func hasSelector(b []byte) bool {
	for _, sel := range revertSelectors {
		if len(b) < len(sel) {
			continue
		}
		i := 0
		for i < len(sel) && lower[b[i]] == sel[i] {
			i++
		}
		if i == len(sel) {
			return true
		}
	}
	return false
}
