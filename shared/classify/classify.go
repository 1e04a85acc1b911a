package classify

// Rule is one of a provider's error_rules (reference 2.4): it matches when
// every matcher it has matches, and a rule with no matcher never does.
type Rule struct {
	Code            *int
	MessageContains []string // lower-cased by the profile loader; any may match
	Category        Category
}

// RPCError is the JSON-RPC error object of an HTTP answer's body.
type RPCError struct {
	Code    int
	Message string
	Data    []byte // the raw JSON of "data", nil when absent
}

// Error classifies a JSON-RPC error object from a provider (7.2): rules
// first, then revert data, definitive codes, message patterns in priority
// order, then codes. data is the raw JSON of the error's "data" member (nil
// when absent); it may be anything, garbage included.
func Error(code int, message string, data []byte, rules []Rule) Category {
	if c, ok := matchRules(code, message, rules); ok {
		return c
	}
	if revertData(data) {
		return ExecutionRevert
	}
	msg, matched := messages.match(message)
	if c, ok := definitiveCodes[code]; ok {
		// Providers answer quota limits with -32600 (Alchemy's "Monthly
		// capacity limit exceeded"): that must fail over, not reach the
		// client as its own mistake. Lasso lets the code win.
		if code == -32600 && matched && msg == RateLimit {
			return msg
		}
		return c
	}
	if matched {
		return msg
	}
	return byCode(code)
}

// HTTP classifies a non-2xx HTTP answer (7.2, last bullets). A 429 is a rate
// limit. A 408 or 5xx is a server error, unless its body's JSON-RPC error
// classifies as a rate limit. Any other status is the body's JSON-RPC error
// when there is one, and otherwise a server error: a gateway or CDN refused
// the request before any node saw it. rpc may be nil.
func HTTP(status int, rpc *RPCError, rules []Rule) Category {
	switch {
	case status == 429:
		return RateLimit
	case status == 408 || status >= 500:
		if rpc != nil && Error(rpc.Code, rpc.Message, rpc.Data, rules) == RateLimit {
			return RateLimit
		}
		return ServerError
	case rpc != nil:
		return Error(rpc.Code, rpc.Message, rpc.Data, rules)
	}
	return ServerError
}

func matchRules(code int, message string, rules []Rule) (Category, bool) {
	if len(message) > maxMessage {
		message = message[:maxMessage]
	}
	for i := range rules {
		if rules[i].matches(code, message) {
			return rules[i].Category, true
		}
	}
	return "", false
}

func (r *Rule) matches(code int, message string) bool {
	if r.Category == "" || (r.Code == nil && len(r.MessageContains) == 0) {
		return false
	}
	if r.Code != nil && *r.Code != code {
		return false
	}
	if len(r.MessageContains) == 0 {
		return true
	}
	for _, s := range r.MessageContains {
		if containsFold(message, s) {
			return true
		}
	}
	return false
}

func byCode(code int) Category {
	if c, ok := codeTable[code]; ok {
		return c
	}
	for _, r := range codeRanges {
		if code >= r.lo && code <= r.hi {
			return r.category
		}
	}
	return UnknownError
}
