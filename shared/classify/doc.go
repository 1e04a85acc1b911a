// Package classify turns a provider's answer into a category and a routing
// verdict: what kind of failure a JSON-RPC error object or a non-2xx HTTP
// answer is (reference §7.2), whether another provider may be tried, and
// whether the provider is to blame (§3.6, §4).
//
// It owns:
//
//   - the categories (Category) and the fifteen a profile's error_rules may
//     assign (RuleCategories, §2.4);
//   - the classification order: provider rules, revert data, definitive codes,
//     message patterns by priority, then the code table (Error); and the
//     HTTP-status rules on top of it (HTTP);
//   - the message patterns and code tables, as data in data.go;
//   - the four verdicts (Verdict) and the two flags they derive from
//     (Retriable, Penalised);
//   - reading a provider's requested wait out of an error (RetryAfter).
//
// It leaves acting on a verdict to others: the forwarder (proxy) decides
// whether a failover is allowed for the method's replay safety and dispatch
// budget and what the client gets on exhaustion; the breaker maps a penalised
// category to its own threshold and applies the shared-mode timeout exemption;
// the rate-limit state records how long a provider stays limited. Parsing an
// HTTP body into an RPCError, and the codes the router itself emits, are
// likewise elsewhere. Nothing here does I/O or keeps state.
//
// # Where we differ from Lasso
//
// The reference snapshot's order and lists are followed, with these
// deliberate changes (each is tested):
//
//   - An error code we do not know (geth's -38xxx from eth_simulateV1, a
//     vendor's custom code, EIP-1193's 4902) is UnknownError, and UnknownError
//     is capability-like: Retriable, not Penalised, verdict Capability. Lasso
//     penalises it as a provider failure. A router cannot tell what an unknown
//     code means, so it may try another provider (the forwarder only replays
//     replay-safe methods), but it blames nobody; when every attempt ends so,
//     the forwarder returns the last upstream's error object unchanged, as for
//     any Capability verdict.
//   - An HTTP 429 is RateLimit (Quota), never a server error (HTTP).
//   - Code 3 (geth's execution error) is definitive, as in later Lasso: a
//     revert whose reason mentions "unauthorized" or "try again" stays a
//     revert.
//   - A few message patterns that Lasso lacks send real provider answers to
//     the right bucket (marked "ours" in data.go): Alchemy's "Log response
//     size exceeded", llamarpc's "query exceeds max results", publicnode's
//     "maximum block range", Ankr's "blocks distance", Nethermind's "No state
//     available for block", QuickNode's "request limit reached"; and a few
//     from later Lasso ("monthly capacity limit", "unsupported subscription",
//     "key is deactivated", ...).
//
// Definitive codes still win over messages, as in Lasso, with one exception
// of ours: a -32600 whose message is a rate limit is a rate limit (Alchemy's
// "Monthly capacity limit exceeded"), so it fails over. Range limits sent as
// -32600 (Alchemy's "up to a 500 block range", Ankr's "block range is too
// wide") stay InvalidRequest unless the profile says otherwise with an
// error_rule (rules come first), e.g.
//
//	error_rules:
//	  - code: -32600
//	    message_contains: ["block range"]
//	    category: capability_violation
//
// Matching is an ASCII case-insensitive substring search over the first 4 KiB
// of the message, through a two-byte index of all patterns: one pass over the
// message, no allocation, no regular expressions.
package classify
