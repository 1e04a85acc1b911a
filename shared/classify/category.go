package classify

// Category names what kind of failure an answer was. The values are the
// snake_case names Lasso uses, and the names a profile's error_rules use.
type Category string

// Categories. The first fifteen are the ones error_rules may assign
// (RuleCategories); the rest come from the classifier or from the transport.
const (
	RateLimit               Category = "rate_limit"
	CapabilityViolation     Category = "capability_violation"
	ServerError             Category = "server_error"
	RequiresArchival        Category = "requires_archival"
	AuthError               Category = "auth_error"
	NetworkError            Category = "network_error"
	ClientError             Category = "client_error"
	InvalidParams           Category = "invalid_params"
	MethodNotFound          Category = "method_not_found"
	ParseError              Category = "parse_error"
	InternalError           Category = "internal_error"
	UnknownError            Category = "unknown_error" // an error code we do not know
	MethodError             Category = "method_error"
	ChainError              Category = "chain_error"
	UserError               Category = "user_error"
	ExecutionRevert         Category = "execution_revert"
	BlockNotAvailable       Category = "block_not_available"
	InvalidRequest          Category = "invalid_request"
	UnclassifiedServerError Category = "unclassified_server_error" // bare -32000, message not recognised
	Timeout                 Category = "timeout"
	ProtocolError           Category = "protocol_error" // invalid or mismatched upstream response
	ProviderError           Category = "provider_error"
)

// RuleCategories lists the categories a profile's error_rules may assign
// (reference 2.4), in the reference's order, for validation. The slice is the
// caller's.
func RuleCategories() []Category {
	return append([]Category(nil), ruleCategories...)
}

// Verdict is what the router does with an attempt's failure (reference 7.2
// item 6 and table 3.6).
type Verdict uint8

// Verdicts.
const (
	// Deterministic: the answer is the request's own fault; return it to the
	// client, no failover, no penalty.
	Deterministic Verdict = iota
	// Quota: the provider is rate-limited; fail over, no penalty, mark the
	// provider rate-limited.
	Quota
	// Capability: this provider cannot serve this request (or answered with
	// a code we do not know); fail over, no penalty. On exhaustion the
	// upstream's error is the answer.
	Capability
	// ProviderFailure: the provider failed; fail over if the method is
	// replay-safe, and count a breaker failure.
	ProviderFailure
)

var verdictNames = [...]string{"deterministic", "quota", "capability", "provider_failure"}

func (v Verdict) String() string {
	if int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return "verdict(" + itoa(int(v)) + ")"
}

// trait is what a category implies, before any routing decision.
type trait struct {
	retriable bool // another provider may succeed
	penalised bool // the provider is to blame
}

func traitOf(c Category) trait {
	if t, ok := traits[c]; ok {
		return t
	}
	return traits[UnknownError]
}

// Verdict maps the category to its bucket: RateLimit is Quota; a penalised
// category is ProviderFailure; a retriable one without penalty is Capability;
// the rest are Deterministic. A category not listed here behaves as
// UnknownError.
func (c Category) Verdict() Verdict {
	t := traitOf(c)
	switch {
	case c == RateLimit:
		return Quota
	case t.penalised:
		return ProviderFailure
	case t.retriable:
		return Capability
	}
	return Deterministic
}

// Retriable reports whether another provider may answer differently
// (reference 7.2 item 6, plus ours: UnknownError, ProtocolError).
func (c Category) Retriable() bool { return traitOf(c).retriable }

// Penalised reports whether the failure counts for the provider's breaker,
// before the breaker's own shared-mode exemption of timeouts (reference 4).
func (c Category) Penalised() bool { return traitOf(c).penalised }

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
