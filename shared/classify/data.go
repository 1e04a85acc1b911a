package classify

import "time"

// This file is the classifier's data: Lasso's pattern lists and code tables
// (lib/lasso/core/support/error_classification.ex, the snapshot the reference
// describes), plus the few additions marked "later Lasso" (from its newer
// versions) and "ours". Patterns are lower-case ASCII substrings of the
// message; the first group with any match decides.

// pattern is one message substring; unless, when set, vetoes the match if the
// message also contains it.
type pattern struct {
	text   string
	unless string
}

// group is one priority level of message patterns.
type group struct {
	name     string
	category Category
	patterns []pattern
}

func words(s ...string) []pattern {
	p := make([]pattern, len(s))
	for i, t := range s {
		p[i] = pattern{text: t}
	}
	return p
}

// messageGroups in priority order (reference 7.2 item 4).
var messageGroups = []group{
	{"rate limit", RateLimit, words(
		"rate limit",
		"too many requests",
		"throttled",
		"quota exceeded",
		"reached your quota",
		"monthly quota",
		"daily quota",
		"capacity exceeded",
		"request count exceeded",
		"maximum requests",
		"credits quota",
		"requests per second",
		"compute units",
		"cannot fulfill request", // Cloudflare, -32046
		"request units",
		"timeout on the free tier", // dRPC, code 30
		// later Lasso
		"monthly capacity limit",
		"monthly free request limit",
		"usage limit for your current plan",
		// ours: QuickNode -32007 "15/second request limit reached - reduce calls per second ..."
		"request limit reached",
	)},
	{"auth", AuthError, words(
		"unauthorized",
		"authentication",
		"authenticate",
		"api key",
		"forbidden",
		"access denied",
		"permission denied",
		"key is deactivated", // later Lasso
	)},
	{"transient", ServerError, words(
		"please retry", // dRPC 19 "Temporary internal error. Please retry"
		"temporary internal error",
		"try again",
		"service temporarily unavailable",
		"temporarily unavailable",
		"request timeout",
		"backend timeout",
		"resource unavailable",
		"service overloaded",
	)},
	{"invalid params", InvalidParams, words(
		"invalid argument",
		"cannot unmarshal",
		"unable to decode",
		"invalid hex",
		"odd length hex",
		"hex string without 0x prefix",
		"invalid address",
		"wrong number of arguments",
		"missing value for required argument",
		"abi: cannot marshal",
	)},
	{"execution revert", ExecutionRevert, words(
		"execution reverted",
		"gas required exceeds allowance",
		"out of gas",
		"intrinsic gas too low",
		"gas limit below intrinsic gas",
		"gas too low",
		"gas limit reached",
		"gas uint64 overflow",
		"insufficient gas",
		"exceeds block gas limit",
		"base fee exceeds gas limit",
		"transaction gas limit is too low",
		"nonce too low",
		"nonce too high",
		"insufficient funds",
		"already known",
		"replacement transaction underpriced",
		"transaction underpriced",
		"max fee per gas less than block base fee",
		"fee cap less than block base fee",
		"max priority fee per gas higher than max fee per gas",
		"max fee per blob gas",
		"blob base fee",
		"too many blobs",
		"invalid sender",
		"invalid opcode",
		"stack underflow",
		"stack overflow",
		"invalid jump destination",
		"revert",
		"vm exception",
		"evm error",
		"contract creation code storage out of gas",
		"max initcode size exceeded",
		"upfront cost exceeds",
		"does not match sender account nonce",
		"transaction type not supported",
	)},
	{"block not available", BlockNotAvailable, append(words(
		"header not found",
		"block not found",
		"unknown block number",
		"block is out of range",
	), pattern{text: "unknown block", unless: "unknown blockchain"})},
	{"result size", CapabilityViolation, words(
		"query returned more than",
		"result set too large",
		"result limit exceeded",
		"too many results",
		"too many logs",
		// ours
		"response size exceeded", // Alchemy -32602 "Log response size exceeded. ..."
		"exceeds max results",    // llamarpc/Ankr -32602 "query exceeds max results 20000"
	)},
	{"capability", CapabilityViolation, words(
		"free tier",
		"maximum number of addresses",
		"max addresses",
		"too many addresses",
		"specify less number of addresses", // publicnode
		"specify an address",               // publicnode
		"block range exceeded",
		"max block range",
		"block range too large",
		"range too large",
		"range not supported",
		"this range of parameters is not supported", // publicnode
		"exceeds maximum block range",
		"invalid block range",
		"max is 1k blocks",
		"range is too large",
		"blocks are not supported",
		"ranges over",   // dRPC
		"is limited to", // 1RPC, QuickNode
		"archive node required",
		"requires archival",
		"archival data not available",
		"archival not available",
		"historical data not supported",
		"pruned",
		"missing trie node", // geth, pruned state
		"tracing not enabled",
		"debug not available",
		"trace not supported",
		"method not available",
		"method unavailable",
		"not supported",
		"not available",
		"not enabled",
		"does not support",
		"unsupported parameter range",
		"unsupported param range",
		"limit exceeded for this method",
		"exceeds limit",
		"exceeds maximum",
		"limit reached",
		"dedicated full node",
		"remove restrictions",
		"order a dedicated",
		"upgrade",
		"upgrade your plan",
		"upgrade your tier",
		"premium plan",
		"paid plan",
		"paid tier",
		"feature not enabled",
		"node is syncing",
		"state not available",
		// later Lasso
		"unsupported subscription", // dRPC 23 "Unsupported subscription: newHeads"
		"archive requests require a personal token",
		// ours
		"maximum block range", // publicnode "exceed maximum block range: 50000"
		"blocks distance",     // Ankr "maximum [from, to] blocks distance: 10000"
		"no state available",  // Nethermind -32002 "No state available for block 0x..."
	)},
}

// revertSelectors start ABI-encoded revert data: Error(string), Panic(uint256).
var revertSelectors = []string{"0x08c379a0", "0x4e487b71"}

// definitiveCodes decide before any message is read (reference 7.2 item 3;
// code 3 from later Lasso).
var definitiveCodes = map[int]Category{
	-32700: ParseError,
	-32600: InvalidRequest,
	-32601: MethodNotFound,
	3:      ExecutionRevert,
}

// codeTable classifies by code when no message pattern matched (reference
// 7.2 item 5).
var codeTable = map[int]Category{
	3:      ExecutionRevert, // geth execution error
	-32700: ParseError,
	-32600: InvalidRequest,
	-32601: MethodNotFound,
	-32602: InvalidParams,
	-32603: InternalError,
	-32005: RateLimit, // EIP-1474 limit exceeded; Infura's rate limit
	-32004: NetworkError,
	-32003: ClientError,
	-32002: ServerError,
	-32000: UnclassifiedServerError, // bare -32000: the message said nothing we know
	// EIP-1193
	4001: UserError,
	4100: AuthError,
	4200: MethodError,
	4900: ChainError,
	4901: NetworkError,
	// providers
	14:     ServerError, // dRPC "GRPC Context cancellation"
	23:     ServerError, // dRPC
	-31001: ServerError,
	-31002: ServerError,
	26:     BlockNotAvailable,   // dRPC "Unknown block"
	30:     RateLimit,           // dRPC "timeout on the free tier"
	-32046: RateLimit,           // Cloudflare "Cannot fulfill request"
	35:     CapabilityViolation, // dRPC "ranges over 10000 blocks are not supported on freetier"
	-32701: CapabilityViolation, // publicnode
	-32010: ExecutionRevert,     // Nethermind transaction rejected
	-32015: ExecutionRevert,     // Nethermind VM execution error
	-32016: ExecutionRevert,     // Besu
}

// codeRange classifies a span of codes not in codeTable.
type codeRange struct {
	lo, hi   int
	category Category
}

var codeRanges = []codeRange{
	{-32099, -32001, ServerError}, // JSON-RPC server error range
	{429, 429, RateLimit},         // HTTP status used as a code
	{500, 599, ServerError},
	{400, 499, ClientError},
}

// traits of every category (reference 7.2 item 6; UnknownError and
// ProtocolError are ours).
var traits = map[Category]trait{
	RateLimit:               {retriable: true},
	CapabilityViolation:     {retriable: true},
	RequiresArchival:        {retriable: true},
	BlockNotAvailable:       {retriable: true},
	MethodNotFound:          {retriable: true},
	UnknownError:            {retriable: true}, // ours: fail over, blame nobody
	ServerError:             {retriable: true, penalised: true},
	NetworkError:            {retriable: true, penalised: true},
	AuthError:               {retriable: true, penalised: true},
	InternalError:           {retriable: true, penalised: true},
	MethodError:             {retriable: true, penalised: true},
	ChainError:              {retriable: true, penalised: true},
	Timeout:                 {retriable: true, penalised: true},
	ProviderError:           {retriable: true, penalised: true},
	ProtocolError:           {retriable: true, penalised: true},
	ClientError:             {},
	InvalidParams:           {},
	ParseError:              {},
	UserError:               {},
	ExecutionRevert:         {},
	InvalidRequest:          {},
	UnclassifiedServerError: {},
}

// ruleCategories are the categories error_rules may assign (reference 2.4).
var ruleCategories = []Category{
	RateLimit, CapabilityViolation, ServerError, RequiresArchival, AuthError,
	NetworkError, ClientError, InvalidParams, MethodNotFound, ParseError,
	InternalError, UnknownError, MethodError, ChainError, UserError,
}

// retryPhrases introduce a wait in a message: "try again in 30 seconds",
// "retry after 2 minutes", "wait 500ms".
var retryPhrases = []string{
	"again in ", "retry in ", "retry after ", "again after ", "try after ",
	"wait ", "resets in ", "reset in ", "available in ",
}

// retryUnits are the unit words a wait may carry.
var retryUnits = map[string]time.Duration{
	"ms": time.Millisecond, "msec": time.Millisecond, "msecs": time.Millisecond,
	"millisecond": time.Millisecond, "milliseconds": time.Millisecond,
	"s": time.Second, "sec": time.Second, "secs": time.Second,
	"second": time.Second, "seconds": time.Second,
	"m": time.Minute, "min": time.Minute, "mins": time.Minute,
	"minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hr": time.Hour, "hrs": time.Hour,
	"hour": time.Hour, "hours": time.Hour,
}

// retryFields name a wait in error data, with their unit.
var retryFields = map[string]time.Duration{
	"retry_after_ms":  time.Millisecond,
	"retry_after":     time.Second,
	"backoff_seconds": time.Second, // Infura
}
