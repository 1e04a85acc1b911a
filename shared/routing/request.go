package routing

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/lasso-serverless/lasso/shared/jsonrpc"
	"github.com/lasso-serverless/lasso/shared/method"
	"github.com/lasso-serverless/lasso/shared/profile"
)

// What a call asks of a provider beyond the method: which blocks it reads
// (reference 3.2, "request analysis", and the capability limits of 2.4).

// stateMethods take a block as their last parameter.
var stateMethods = map[string]bool{
	"eth_call": true, "eth_getBalance": true, "eth_getCode": true,
	"eth_getTransactionCount": true, "eth_getStorageAt": true,
}

// block is a parsed block parameter.
type block struct {
	number uint64
	known  bool // a number, or a tag resolved against the head
	tag    bool // a tag (earliest, latest, pending), not a number
}

// parseBlock reads a block parameter: a hex number, a tag, or an EIP-1898
// object. latest and pending resolve to head (0 = unknown); safe, finalized
// and block hashes are not known.
func parseBlock(raw json.RawMessage, head uint64) block {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '{' {
		var o struct {
			BlockNumber json.RawMessage `json:"blockNumber"`
		}
		if json.Unmarshal(raw, &o) != nil || o.BlockNumber == nil {
			return block{}
		}
		raw = o.BlockNumber
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return block{}
	}
	switch s {
	case "earliest":
		return block{number: 0, known: true, tag: true}
	case "latest", "pending":
		return block{number: head, known: head > 0, tag: true}
	}
	hex, ok := strings.CutPrefix(s, "0x")
	if !ok {
		return block{}
	}
	n, err := strconv.ParseUint(hex, 16, 64)
	return block{number: n, known: err == nil}
}

func isTag(raw json.RawMessage, tags ...string) bool {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return false
	}
	for _, t := range tags {
		if s == t {
			return true
		}
	}
	return false
}

func params(req jsonrpc.Request) []json.RawMessage {
	var ps []json.RawMessage
	_ = json.Unmarshal(req.Params, &ps)
	return ps
}

// logFilter is eth_getLogs' single filter, when it has one.
func logFilter(ps []json.RawMessage) (from, to json.RawMessage, ok bool) {
	if len(ps) != 1 {
		return nil, nil, false
	}
	var f struct {
		FromBlock json.RawMessage `json:"fromBlock"`
		ToBlock   json.RawMessage `json:"toBlock"`
		BlockHash json.RawMessage `json:"blockHash"`
	}
	if json.Unmarshal(ps[0], &f) != nil || f.BlockHash != nil {
		return nil, nil, false
	}
	return f.FromBlock, f.ToBlock, true
}

// query is what a call reads, worked out once per plan rather than once per
// provider.
type query struct {
	method  string
	head    uint64 // consensus height; 0 when unknown
	archive bool   // reads state older than head - archival threshold
	span    uint64 // eth_getLogs: toBlock - fromBlock, when both are known
	hasSpan bool
	last    block // the last parameter as a block (for max_block_age)
}

// analyze reads the block parameters of a call. Methods that name no block
// are not parsed at all while the head is unknown.
func analyze(req jsonrpc.Request, head uint64, threshold int) query {
	q := query{method: req.Method, head: head}
	getLogs := req.Method == "eth_getLogs"
	if !getLogs && !stateMethods[req.Method] && req.Method != "eth_getBlockByNumber" && head == 0 {
		return q
	}
	ps := params(req)
	if len(ps) > 0 {
		q.last = parseBlock(ps[len(ps)-1], head)
	}
	// With no head known, any explicit block counts as old, as in Lasso;
	// tags other than earliest never do.
	old := func(raw json.RawMessage) bool {
		if raw == nil || isTag(raw, "latest", "pending", "safe", "finalized") {
			return false
		}
		b := parseBlock(raw, 0)
		return b.known && (head == 0 || b.number+uint64(threshold) < head)
	}
	switch {
	case stateMethods[req.Method]:
		q.archive = len(ps) >= 2 && old(ps[len(ps)-1])
	case req.Method == "eth_getBlockByNumber":
		q.archive = len(ps) >= 1 && old(ps[0])
	case getLogs:
		from, to, ok := logFilter(ps)
		q.archive = ok && (old(from) || old(to))
		if ok && from != nil && to != nil {
			f, t := parseBlock(from, head), parseBlock(to, head)
			if f.known && t.known && t.number >= f.number {
				q.span, q.hasSpan = t.number-f.number, true
			}
		}
	}
	return q
}

// supports reports whether a provider's capabilities allow the method.
func supports(p *profile.Provider, name string) bool {
	caps := &p.Capabilities
	for _, m := range caps.UnsupportedMethods {
		if m == name {
			return false
		}
	}
	cat := string(method.CategoryOf(name))
	for _, c := range caps.UnsupportedCategories {
		if c == cat {
			return false
		}
	}
	return true
}

// withinLimits checks a provider's parameter limits: max_block_range for an
// eth_getLogs filter with both ends, max_block_age for the listed methods.
// What cannot be judged (unknown head, unparseable tags) passes.
func withinLimits(p *profile.Provider, q query) bool {
	caps := &p.Capabilities
	if caps.MaxBlockRange >= 0 && q.hasSpan && q.span > uint64(caps.MaxBlockRange) {
		return false
	}
	if caps.MaxBlockAge >= 0 && q.head > 0 && q.last.known && q.last.number < q.head &&
		q.head-q.last.number > uint64(caps.MaxBlockAge) {
		for _, m := range caps.BlockAgeMethods {
			if m == q.method {
				return false
			}
		}
	}
	return true
}
