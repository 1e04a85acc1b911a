package classify

import (
	"strconv"
	"time"

	"github.com/lasso-serverless/lasso/shared/jsonrpc"
)

// maxRetryAfter caps a provider's requested wait.
const maxRetryAfter = 24 * time.Hour

// RetryAfter extracts a provider's requested wait from error data (a
// "retry_after" field in seconds, "retry_after_ms", or Infura's
// "backoff_seconds", at the top level or one object down, e.g. data.rate) or
// from a message like "try again in 30 seconds" / "retry in 1 minute"; 0 when
// none. A field wins over a phrase; the result is capped at 24 h.
func RetryAfter(message string, data []byte) time.Duration {
	field, text := retryFromData(data, 0)
	if field > 0 {
		return field
	}
	if text > 0 {
		return text
	}
	return retryFromText(message)
}

// retryFromData returns the wait named by a field, and the wait found in a
// string value's text.
func retryFromData(b []byte, depth int) (field, text time.Duration) {
	i := jsonrpc.SkipSpace(b, 0)
	if i >= len(b) {
		return 0, 0
	}
	switch b[i] {
	case '"':
		if end := jsonrpc.SkipValue(b, i); end > 0 {
			return 0, retryFromText(string(b[i+1 : end-1]))
		}
	case '{':
		jsonrpc.EachMember(b, i, func(key, val []byte) bool {
			if unit, ok := retryFields[string(key)]; ok {
				if d := quantity(val, unit); d > 0 && field == 0 {
					field = d
				}
				return true
			}
			if depth < 1 && len(val) > 0 && (val[0] == '{' || val[0] == '"') {
				f, t := retryFromData(val, depth+1)
				if field == 0 {
					field = f
				}
				if text == 0 {
					text = t
				}
			}
			return true
		})
	}
	return field, text
}

// quantity reads a JSON number, or a number in a string, times unit.
func quantity(v []byte, unit time.Duration) time.Duration {
	if s, ok := stringContent(v); ok {
		v = s
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil {
		return 0
	}
	return scale(f, unit)
}

// scale converts n units to a duration, capped; not positive (or NaN) is 0.
func scale(n float64, unit time.Duration) time.Duration {
	if !(n > 0) {
		return 0
	}
	if n >= float64(maxRetryAfter/unit) {
		return maxRetryAfter
	}
	return time.Duration(n * float64(unit))
}

// retryFromText finds the first "<phrase> <number> <unit>" in s.
func retryFromText(s string) time.Duration {
	if len(s) > maxMessage {
		s = s[:maxMessage]
	}
	for i := 0; i < len(s); i++ {
		for _, p := range retryPhrases {
			if lower[s[i]] != p[0] || !hasPrefixFold(s[i:], p) {
				continue
			}
			if d := waitAt(s[i+len(p):]); d > 0 {
				return d
			}
		}
	}
	return 0
}

// waitAt reads "[for|about|~] <number>[ ]<unit>" at the start of s.
func waitAt(s string) time.Duration {
	for _, filler := range []string{"for ", "about ", "approximately ", "~"} {
		if hasPrefixFold(s, filler) {
			s = s[len(filler):]
			break
		}
	}
	n := 0
	for n < len(s) && (s[n] >= '0' && s[n] <= '9' || s[n] == '.') {
		n++
	}
	if n == 0 {
		return 0
	}
	num, err := strconv.ParseFloat(s[:n], 64)
	if err != nil {
		return 0
	}
	u := n
	for u < len(s) && s[u] == ' ' {
		u++
	}
	w := u
	for w < len(s) && lower[s[w]] >= 'a' && lower[s[w]] <= 'z' {
		w++
	}
	var word [16]byte
	if w-u == 0 || w-u > len(word) {
		return 0
	}
	for k := u; k < w; k++ {
		word[k-u] = lower[s[k]]
	}
	unit, ok := retryUnits[string(word[:w-u])]
	if !ok {
		return 0
	}
	return scale(num, unit)
}
