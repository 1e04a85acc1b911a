package classify

// A provider's error "data" may be any JSON value, or not JSON at all. These
// helpers read only what the classifier needs from it, without decoding it
// and without trusting it: every index is bounds-checked, and malformed input
// ends the walk quietly.

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// endString returns the index just past the string that opens at b[i] ('"'),
// or -1 if it is not closed.
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

// skipValue returns the index just past the value at b[i], or -1.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
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

// eachMember calls fn with the raw key and the value's bounds for every
// member of the object at b[i] ('{'), until fn returns false or the object
// ends or turns out malformed.
func eachMember(b []byte, i int, fn func(key, val []byte) bool) {
	i++
	for {
		i = skipSpace(b, i)
		if i >= len(b) || b[i] != '"' {
			return
		}
		end := endString(b, i)
		if end < 0 {
			return
		}
		key := b[i+1 : end-1]
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return
		}
		i = skipSpace(b, i+1)
		vend := skipValue(b, i)
		if vend < 0 || vend <= i {
			return
		}
		if !fn(key, b[i:vend]) {
			return
		}
		i = skipSpace(b, vend)
		if i >= len(b) || b[i] != ',' {
			return
		}
		i++
	}
}

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
	i := skipSpace(data, 0)
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
		eachMember(data, i, func(key, val []byte) bool {
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
