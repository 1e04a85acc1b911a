package classify

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestCodeTable(t *testing.T) {
	for _, tc := range []struct {
		code int
		want Category
	}{
		{3, ExecutionRevert},
		{-32700, ParseError},
		{-32600, InvalidRequest},
		{-32601, MethodNotFound},
		{-32602, InvalidParams},
		{-32603, InternalError},
		{-32005, RateLimit},
		{-32004, NetworkError},
		{-32003, ClientError},
		{-32002, ServerError},
		{-32000, UnclassifiedServerError},
		{4001, UserError},
		{4100, AuthError},
		{4200, MethodError},
		{4900, ChainError},
		{4901, NetworkError},
		{14, ServerError},
		{23, ServerError},
		{-31001, ServerError},
		{-31002, ServerError},
		{26, BlockNotAvailable},
		{30, RateLimit},
		{-32046, RateLimit},
		{35, CapabilityViolation},
		{-32701, CapabilityViolation},
		{-32010, ExecutionRevert},
		{-32015, ExecutionRevert},
		{-32016, ExecutionRevert},
		// ranges
		{-32001, ServerError},
		{-32050, ServerError},
		{-32099, ServerError},
		{429, RateLimit},
		{400, ClientError},
		{404, ClientError},
		{499, ClientError},
		{500, ServerError},
		{503, ServerError},
		{599, ServerError},
		// unknown codes
		{-32100, UnknownError},
		{-31000, UnknownError},
		{-38001, UnknownError},
		{-38020, UnknownError},
		{-39001, UnknownError},
		{0, UnknownError},
		{1, UnknownError},
		{19, UnknownError},
		{399, UnknownError},
		{600, UnknownError},
		{4444, UnknownError},
		{4902, UnknownError},
	} {
		if got := Error(tc.code, "", nil, nil); got != tc.want {
			t.Errorf("Error(%d, \"\"): got %s, want %s", tc.code, got, tc.want)
		}
	}
}

// Unknown codes fail over without blame, whatever their message, unless the
// message is recognised.
func TestUnknownCodes(t *testing.T) {
	for _, code := range []int{-38001, -38002, -38011, -38022, -38023, 1, 2, 4, 100, 1000, 4902, -1, -40000} {
		c := Error(code, "some vendor's custom failure", nil, nil)
		if c != UnknownError || c.Verdict() != Capability || c.Penalised() || !c.Retriable() {
			t.Errorf("Error(%d, unrecognised): got %s (%s, penalised %v), want unknown_error (capability, not penalised)",
				code, c, c.Verdict(), c.Penalised())
		}
	}
}

func TestDefinitiveCodes(t *testing.T) {
	for _, tc := range []struct {
		code int
		msg  string
		want Category
	}{
		{-32601, "The method eth_fooBarBaz does not exist/is not available", MethodNotFound},
		{-32601, "method not supported", MethodNotFound},
		{-32600, "not available", InvalidRequest},
		{-32700, "rate limit", ParseError},
		{3, "execution reverted: Unauthorized", ExecutionRevert},     // ours (later Lasso)
		{3, "execution reverted: please try again", ExecutionRevert}, // ours
		// not definitive: the message decides
		{-32602, "Unknown block number", BlockNotAvailable},
		{-32603, "range is too large", CapabilityViolation},
		{-32005, "query returned more than 10000 results", CapabilityViolation},
	} {
		if got := Error(tc.code, tc.msg, nil, nil); got != tc.want {
			t.Errorf("Error(%d, %q): got %s, want %s", tc.code, tc.msg, got, tc.want)
		}
	}
}

func TestMessagePriority(t *testing.T) {
	for _, tc := range []struct {
		name string
		code int
		msg  string
		want Category
	}{
		{"rate limit before auth", -32000, "rate limit exceeded for api key", RateLimit},
		{"rate limit before capability", 429, "Rate limit exceeded - endpoint not found in plan", RateLimit},
		{"auth before transient", -32000, "unauthorized, please retry", AuthError},
		{"transient before revert (reference order)", -32000, "execution reverted, please retry", ServerError},
		{"transient before capability", -32000, "service temporarily unavailable", ServerError},
		{"invalid params before revert", -32000, "invalid argument 0: revert", InvalidParams},
		{"revert before block not available", -32000, "nonce too low: block not found", ExecutionRevert},
		{"revert before capability", -32000, "transaction type not supported", ExecutionRevert},
		{"block not available before capability", -32000, "header not found: state not available", BlockNotAvailable},
		{"result size is a capability", -32000, "too many logs returned", CapabilityViolation},
		{"unknown block", -32000, "unknown block", BlockNotAvailable},
		{"unknown blockchain is not a block", -32000, "unknown blockchain", UnclassifiedServerError},
		{"unknown blockchain vetoes unknown block", -32000, "unknown blockchain; unknown block", UnclassifiedServerError},
		{"not-found that is no block", -32000, "transaction could not be found", UnclassifiedServerError},
		{"contract not found", -32000, "contract could not be found", UnclassifiedServerError},
		{"blocks are not supported", -32000, "blocks are not supported", CapabilityViolation},
		{"case-insensitive", -32000, "HEADER NOT FOUND", BlockNotAvailable},
		{"mixed case", -32000, "Missing Trie Node abc", CapabilityViolation},
		{"pattern at the very end", -32000, "x pruned", CapabilityViolation},
		{"pattern is the whole message", -32000, "upgrade", CapabilityViolation},
		{"non-ASCII around a pattern", -32000, "блок — header not found — 区块", BlockNotAvailable},
		{"empty message", -32000, "", UnclassifiedServerError},
		{"one byte", -32000, "x", UnclassifiedServerError},
	} {
		if got := Error(tc.code, tc.msg, nil, nil); got != tc.want {
			t.Errorf("%s: Error(%d, %q): got %s, want %s", tc.name, tc.code, tc.msg, got, tc.want)
		}
	}
}

func TestLongMessagesAreBounded(t *testing.T) {
	pad := strings.Repeat("a", maxMessage)
	if got := Error(-32000, "header not found "+pad, nil, nil); got != BlockNotAvailable {
		t.Errorf("pattern at the start of a long message: got %s, want %s", got, BlockNotAvailable)
	}
	if got := Error(-32000, pad+"header not found", nil, nil); got != UnclassifiedServerError {
		t.Errorf("pattern past %d bytes: got %s, want %s", maxMessage, got, UnclassifiedServerError)
	}
}

func TestRevertData(t *testing.T) {
	errData := abiError("Not owner")
	for _, tc := range []struct {
		name string
		code int
		msg  string
		data string
		want Category
	}{
		{"Error(string) under -32000", -32000, "server error", errData, ExecutionRevert},
		{"Panic(uint256) under -32000", -32000, "server error", abiPanic(1), ExecutionRevert},
		{"upper-case selector", -32000, "server error", `"0x08C379A0` + strings.Repeat("00", 64) + `"`, ExecutionRevert},
		{"data.data", -32000, "server error", `{"data":` + errData + `}`, ExecutionRevert},
		{"data.data after other members", -32000, "server error", `{"message":"x","nested":{"a":[1,2,{"b":"}"}]},"data":` + errData + `}`, ExecutionRevert},
		{"data wins over the message", -32000, "rate limit exceeded", errData, ExecutionRevert},
		{"raw hex, not JSON", -32000, "server error", `0x08c379a000`, ExecutionRevert},
		{"spaces before", -32000, "server error", "  \n" + errData, ExecutionRevert},
		{"only one level down", -32000, "server error", `{"data":{"data":` + errData + `}}`, UnclassifiedServerError},
		{"short data", -32000, "out of gas", `"0x08c3"`, ExecutionRevert},
		{"short data, unknown message", -32000, "server error", `"0x08c3"`, UnclassifiedServerError},
		{"other selector", -32000, "rate limit", `"0xdeadbeef00"`, RateLimit},
		{"null", -32000, "rate limit", `null`, RateLimit},
		{"number", -32000, "rate limit", `12`, RateLimit},
		{"array", -32000, "rate limit", `["0x08c379a0"]`, RateLimit},
		{"garbage", -32000, "rate limit", `{"data":`, RateLimit},
		{"unterminated string", -32000, "rate limit", `"0x08c3`, RateLimit},
		{"key with no value", -32000, "rate limit", `{"data"}`, RateLimit},
		{"data is an object", -32000, "rate limit", `{"data":{}}`, RateLimit},
	} {
		if got := Error(tc.code, tc.msg, []byte(tc.data), nil); got != tc.want {
			t.Errorf("%s: Error(%d, %q, %s): got %s, want %s", tc.name, tc.code, tc.msg, tc.data, got, tc.want)
		}
	}
}

func intp(n int) *int { return &n }

func TestRules(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rules []Rule
		code  int
		msg   string
		data  string
		want  Category
	}{
		{"code only", []Rule{{Code: intp(-32000), Category: RequiresArchival}},
			-32000, "anything at all", "", RequiresArchival},
		{"code only, other code", []Rule{{Code: intp(-32000), Category: RequiresArchival}},
			-32001, "anything at all", "", ServerError},
		{"message only", []Rule{{MessageContains: []string{"compute units per second"}, Category: RateLimit}},
			-32099, "Your app has exceeded its compute units per second capacity", "", RateLimit},
		{"message only, any of several", []Rule{{MessageContains: []string{"nope", "pruned"}, Category: RequiresArchival}},
			-32000, "state pruned", "", RequiresArchival},
		{"message only, none matches", []Rule{{MessageContains: []string{"nope", "nada"}, Category: RequiresArchival}},
			-32000, "state pruned", "", CapabilityViolation},
		{"both match", []Rule{{Code: intp(-32000), MessageContains: []string{"missing trie node"}, Category: RequiresArchival}},
			-32000, "missing trie node abc", "", RequiresArchival},
		{"both: code differs", []Rule{{Code: intp(-32000), MessageContains: []string{"missing trie node"}, Category: RequiresArchival}},
			-32001, "missing trie node abc", "", CapabilityViolation},
		{"both: message differs", []Rule{{Code: intp(-32000), MessageContains: []string{"missing trie node"}, Category: RequiresArchival}},
			-32000, "header not found", "", BlockNotAvailable},
		{"first match wins", []Rule{
			{Code: intp(30), Category: CapabilityViolation},
			{MessageContains: []string{"free tier"}, Category: RateLimit},
		}, 30, "Request timeout on the free tier", "", CapabilityViolation},
		{"later rule when the first does not match", []Rule{
			{Code: intp(31), Category: CapabilityViolation},
			{MessageContains: []string{"free tier"}, Category: UserError},
		}, 30, "Request timeout on the free tier", "", UserError},
		{"case-insensitive message", []Rule{{MessageContains: []string{"must be authenticated"}, Category: AuthError}},
			-32099, "MUST BE AUTHENTICATED!", "", AuthError},
		{"case-insensitive rule text", []Rule{{MessageContains: []string{"Must Be Authenticated"}, Category: AuthError}},
			-32099, "must be authenticated!", "", AuthError},
		{"rules before revert data", []Rule{{Code: intp(3), Category: UnknownError}},
			3, "execution reverted", abiError("x"), UnknownError},
		{"rules before definitive codes", []Rule{{Code: intp(-32601), Category: CapabilityViolation}},
			-32601, "Method not found", "", CapabilityViolation},
		{"rules before message patterns", []Rule{{MessageContains: []string{"header not found"}, Category: ServerError}},
			-32000, "header not found", "", ServerError},
		{"a rule without matchers matches nothing", []Rule{{Category: UserError}},
			-32000, "header not found", "", BlockNotAvailable},
		{"an empty message_contains entry matches nothing", []Rule{{MessageContains: []string{""}, Category: UserError}},
			-32000, "header not found", "", BlockNotAvailable},
		{"a rule without a category is skipped", []Rule{{Code: intp(-32000)}},
			-32000, "header not found", "", BlockNotAvailable},
		{"no rules", nil, -32000, "header not found", "", BlockNotAvailable},
	} {
		var data []byte
		if tc.data != "" {
			data = []byte(tc.data)
		}
		if got := Error(tc.code, tc.msg, data, tc.rules); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestHTTP(t *testing.T) {
	rateRule := []Rule{{MessageContains: []string{"slow down"}, Category: RateLimit}}
	revert := &RPCError{Code: 3, Message: "execution reverted"}
	for _, tc := range []struct {
		name   string
		status int
		rpc    *RPCError
		rules  []Rule
		want   Category
	}{
		{"429 without body", 429, nil, nil, RateLimit},
		{"429 whatever the body says", 429, revert, nil, RateLimit},
		{"408", 408, nil, nil, ServerError},
		{"500", 500, nil, nil, ServerError},
		{"5xx with a deterministic body", 502, revert, nil, ServerError},
		{"5xx with a rate-limit body", 503, &RPCError{Code: -32000, Message: "Too Many Requests"}, nil, RateLimit},
		{"5xx with a rate-limit code", 500, &RPCError{Code: -32005, Message: "x"}, nil, RateLimit},
		{"5xx whose body a rule calls a rate limit", 500, &RPCError{Code: -32000, Message: "Please slow down"}, rateRule, RateLimit},
		{"408 with a rate-limit body", 408, &RPCError{Code: 30, Message: "timeout on the free tier"}, nil, RateLimit},
		{"4xx without body", 403, nil, nil, ServerError},
		{"401 without body", 401, nil, nil, ServerError},
		{"4xx with a JSON-RPC error", 400, &RPCError{Code: -32602, Message: "invalid argument 0: hex string without 0x prefix"}, nil, InvalidParams},
		{"4xx body gets the rules", 400, &RPCError{Code: -32000, Message: "please slow down"}, rateRule, RateLimit},
		{"4xx body with revert data", 400, &RPCError{Code: -32000, Message: "x", Data: []byte(abiError("no"))}, nil, ExecutionRevert},
		{"4xx body with unknown code", 400, &RPCError{Code: -38020, Message: "block numbers must be in order: 2 <= 3"}, nil, UnknownError},
		{"3xx without body", 302, nil, nil, ServerError},
	} {
		if got := HTTP(tc.status, tc.rpc, tc.rules); got != tc.want {
			t.Errorf("%s: HTTP(%d): got %s, want %s", tc.name, tc.status, got, tc.want)
		}
	}
}

// naiveMatch is the reference algorithm written the obvious way: lower-case
// the message, then try every group's patterns in order with Contains.
func naiveMatch(msg string) (Category, bool) {
	if len(msg) > maxMessage {
		msg = msg[:maxMessage]
	}
	var b strings.Builder
	for i := 0; i < len(msg); i++ {
		b.WriteByte(lower[msg[i]])
	}
	m := b.String()
	for _, g := range messageGroups {
		for _, p := range g.patterns {
			if strings.Contains(m, p.text) && (p.unless == "" || !strings.Contains(m, p.unless)) {
				return g.category, true
			}
		}
	}
	return "", false
}

// The indexed matcher agrees with the naive one on every real string, every
// pattern, and random text made of pattern pieces.
func TestMatcherAgreesWithNaive(t *testing.T) {
	var inputs []string
	for _, tc := range realErrors {
		inputs = append(inputs, tc.message, strings.ToUpper(tc.message))
	}
	var pieces []string
	for _, g := range messageGroups {
		for _, p := range g.patterns {
			inputs = append(inputs, p.text, strings.ToUpper(p.text), "xx"+p.text+"yy", p.text[:len(p.text)-1])
			pieces = append(pieces, p.text, p.text[:len(p.text)/2], p.text[len(p.text)/2:])
			if p.unless != "" {
				inputs = append(inputs, p.unless, p.text+" "+p.unless)
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range 1 + rng.IntN(4) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
			if rng.IntN(2) == 0 {
				b.WriteByte(" :-x"[rng.IntN(4)])
			}
		}
		inputs = append(inputs, b.String())
	}
	for _, in := range inputs {
		got, gok := messages.match(in)
		want, wok := naiveMatch(in)
		if got != want || gok != wok {
			t.Fatalf("match(%q): got %q %v, want %q %v", in, got, gok, want, wok)
		}
	}
}

func TestPatternData(t *testing.T) {
	for _, g := range messageGroups {
		seen := map[string]bool{}
		for _, p := range g.patterns {
			if err := checkPattern(p.text); err != nil {
				t.Errorf("group %q: %v", g.name, err)
			}
			if seen[p.text] {
				t.Errorf("group %q: pattern %q twice", g.name, p.text)
			}
			seen[p.text] = true
		}
	}
	for _, p := range []string{"", "a", "Upper", "héllo"} {
		if checkPattern(p) == nil {
			t.Errorf("checkPattern(%q): got nil, want an error", p)
		}
	}
	for code, c := range definitiveCodes {
		if codeTable[code] != c {
			t.Errorf("definitive code %d: code table says %s, definitive says %s", code, codeTable[code], c)
		}
	}
}

// Lasso's reference lists are all here (the counts the reference quotes).
func TestPatternCounts(t *testing.T) {
	count := map[string]int{}
	for _, g := range messageGroups {
		count[g.name] = len(g.patterns)
	}
	for _, tc := range []struct {
		group   string
		atLeast int
	}{
		{"rate limit", 16},
		{"auth", 7},
		{"transient", 9},
		{"invalid params", 10},
		{"execution revert", 37},
		{"block not available", 5},
		{"result size", 5},
		{"capability", 53},
	} {
		if count[tc.group] < tc.atLeast {
			t.Errorf("group %q: got %d patterns, want at least %d", tc.group, count[tc.group], tc.atLeast)
		}
	}
}
