package classify

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// abiError is the revert data a contract returns for revert("reason"):
// Error(string) ABI-encoded, as geth, Erigon, Reth, Besu and Anvil pass it on.
func abiError(reason string) string {
	word := func(n int) string { return fmt.Sprintf("%064x", n) }
	padded := make([]byte, (len(reason)+31)/32*32)
	copy(padded, reason)
	return `"0x08c379a0` + word(32) + word(len(reason)) + hex.EncodeToString(padded) + `"`
}

// abiPanic is the revert data of Panic(uint256), e.g. 0x11 for an overflow.
func abiPanic(code int) string { return fmt.Sprintf(`"0x4e487b71%064x"`, code) }

const addr = "0x71C7656EC7ab88b098defB751B7401B5f6d8976F"

// realCase is an error object a real provider or client sends. The strings
// are theirs (from their source, their docs, issue reports quoting them, or
// Lasso's captures of live providers); addresses and hashes are samples.
type realCase struct {
	source  string
	code    int
	message string
	data    string // raw JSON of "data", "" for none
	want    Category
	verdict Verdict
}

var realErrors = []realCase{
	// geth (and geth forks: op-geth, bor, coreth, nitro)
	{"geth eth_call revert with reason", 3, "execution reverted: Ownable: caller is not the owner", abiError("Ownable: caller is not the owner"), ExecutionRevert, Deterministic},
	{"geth eth_call revert, reason only in data", 3, "execution reverted", abiError("Ownable: caller is not the owner"), ExecutionRevert, Deterministic},
	{"geth eth_call panic", 3, "execution reverted", abiPanic(0x11), ExecutionRevert, Deterministic},
	{"geth eth_call custom error", 3, "execution reverted", `"0xfb8f41b2000000000000000000000000` + strings.ToLower(addr[2:]) + `"`, ExecutionRevert, Deterministic},
	{"geth block ahead of head", -32000, "header not found", "", BlockNotAvailable, Capability},
	{"geth pruned state (hash scheme)", -32000, "missing trie node 1f1e6e4ab0c8e4d2b4f8f8f55bb4f1b6e2c7a7f8a2a9e2d2c0b8c1f0e9d8c7b6 (path ) <nil>", "", CapabilityViolation, Capability},
	{"geth pruned state (path scheme)", -32000, "historical state not available in path scheme yet", "", CapabilityViolation, Capability},
	{"geth txpool nonce too low", -32000, "nonce too low: address " + addr + ", tx: 5 state: 7", "", ExecutionRevert, Deterministic},
	{"geth txpool nonce too high", -32000, "nonce too high: address " + addr + ", tx: 12 state: 7", "", ExecutionRevert, Deterministic},
	{"geth insufficient funds", -32000, "insufficient funds for gas * price + value: address " + addr + " have 0 want 21000000000000", "", ExecutionRevert, Deterministic},
	{"geth insufficient funds for transfer", -32000, "insufficient funds for transfer: address " + addr, "", ExecutionRevert, Deterministic},
	{"geth txpool duplicate", -32000, "already known", "", ExecutionRevert, Deterministic},
	{"geth txpool replacement", -32000, "replacement transaction underpriced", "", ExecutionRevert, Deterministic},
	{"geth txpool underpriced", -32000, "transaction underpriced", "", ExecutionRevert, Deterministic},
	{"geth fee cap below base fee", -32000, "max fee per gas less than block base fee: address " + addr + ", maxFeePerGas: 1000000000, baseFee: 7000000000", "", ExecutionRevert, Deterministic},
	{"geth tip above fee cap", -32000, "max priority fee per gas higher than max fee per gas: address " + addr + ", maxPriorityFeePerGas: 2000000000, maxFeePerGas: 1000000000", "", ExecutionRevert, Deterministic},
	{"geth intrinsic gas", -32000, "intrinsic gas too low: gas 20000, minimum needed 21000", "", ExecutionRevert, Deterministic},
	{"geth estimateGas cap", -32000, "gas required exceeds allowance (30000000)", "", ExecutionRevert, Deterministic},
	{"geth block gas limit", -32000, "exceeds block gas limit", "", ExecutionRevert, Deterministic},
	{"geth bad signature", -32000, "invalid sender", "", ExecutionRevert, Deterministic},
	{"geth oversized tx", -32000, "oversized data: transaction size 131073, limit 131072", "", UnclassifiedServerError, Deterministic},
	{"geth txpool full", -32000, "txpool is full", "", UnclassifiedServerError, Deterministic},
	{"geth fee cap (rpc.txfeecap)", -32000, "tx fee (1.12 ether) exceeds the configured cap (1.00 ether)", "", UnclassifiedServerError, Deterministic},
	{"geth unprotected tx", -32000, "only replay-protected (EIP-155) transactions allowed over RPC", "", UnclassifiedServerError, Deterministic},
	{"geth unknown filter", -32000, "filter not found", "", UnclassifiedServerError, Deterministic},
	{"geth eth_call timeout", -32000, "execution aborted (timeout = 5s)", "", UnclassifiedServerError, Deterministic},
	{"geth tx index not ready", -32000, "transaction indexing is in progress", `"transaction indexing is in progress"`, UnclassifiedServerError, Deterministic},
	{"geth rpc handler panic", -32000, "method handler crashed", "", UnclassifiedServerError, Deterministic},
	{"geth unknown method", -32601, "the method eth_foo does not exist/is not available", "", MethodNotFound, Capability},
	{"geth bad hex", -32602, "invalid argument 0: hex string without 0x prefix", "", InvalidParams, Deterministic},
	{"geth bad address", -32602, "invalid argument 0: json: cannot unmarshal hex string without 0x prefix into Go value of type common.Address", "", InvalidParams, Deterministic},
	{"geth missing argument", -32602, "missing value for required argument 1", "", InvalidParams, Deterministic},
	{"geth too many arguments", -32602, "too many arguments, want at most 2", "", InvalidParams, Deterministic},
	{"geth bad JSON", -32700, "parse error", "", ParseError, Deterministic},
	{"geth bad envelope", -32600, "invalid request", "", InvalidRequest, Deterministic},
	{"geth eth_simulateV1 block order", -38020, "block numbers must be in order: 12 <= 13", "", UnknownError, Capability},
	{"geth eth_simulateV1 timestamp order", -38021, "block timestamps must be in order: 74 <= 74", "", UnknownError, Capability},
	{"geth eth_simulateV1 client limit", -38026, "too many blocks", "", UnknownError, Capability},
	{"geth eth_simulateV1 sender not EOA", -38024, "sender not an eoa: address " + addr + ", codehash: 0x9c2e3f0d5a1b4c6d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d", "", UnknownError, Capability},
	{"geth eth_simulateV1 nonce too low", -38010, "nonce too low: address " + addr + ", tx: 0 state: 1", "", ExecutionRevert, Deterministic},
	{"geth eth_simulateV1 insufficient funds", -38014, "insufficient funds for gas * price + value: address " + addr + " have 0 want 1000", "", ExecutionRevert, Deterministic},
	{"geth eth_simulateV1 intrinsic gas", -38013, "intrinsic gas too low: gas 0, minimum needed 21000", "", ExecutionRevert, Deterministic},
	{"geth eth_simulateV1 block gas", -38015, "block gas limit reached: 30000001 >= 30000000", "", ExecutionRevert, Deterministic},
	{"geth eth_simulateV1 initcode", -38025, "max initcode size exceeded: code size 49153 limit 49152", "", ExecutionRevert, Deterministic},
	{"geth, reth history expiry (EIP-4444)", 4444, "pruned history unavailable", "", CapabilityViolation, Capability},

	// Erigon
	{"erigon 3 pruned node", -32000, "old data not available due to pruning", "", CapabilityViolation, Capability},
	{"erigon pruned block", -32000, "block not found 11185311", "", BlockNotAvailable, Capability},
	{"erigon 3 eth_getLogs below prune point", -32000, "state transitaion failed: seek with txNum=1962853355 but data before txNum=2662500000 is not available: blockNum=16999999, txNum=1962853355, seek with txNum=1962853355 but data before txNum=2662500000 is not available", "", CapabilityViolation, Capability},
	{"erigon 2 revert under -32000", -32000, "execution reverted", "", ExecutionRevert, Deterministic},

	// Nethermind
	{"nethermind pruned state", -32002, "No state available for block 0x3f9e020290502d1d41f4b5519e7d456f0935dea980ec310935206cac8239117e", "", CapabilityViolation, Capability},
	{"nethermind trie miss as internal error", -32603, "Internal error", `"Nethermind.Trie.MissingTrieNodeException: Node A: P:2 H:0x992eacd1f3b44a51b91065eb946c1fda63da35b3e05497ef6e71f3d9f0c3688b is missing from the DB"`, InternalError, ProviderFailure},
	{"nethermind 2 trie miss", -32000, "missing trie node (path ) state 0xd7f8974fb5ac78d9ac099b9ad5018bedc2ce0a72dad1827a1709da30580f0544", "", CapabilityViolation, Capability},
	{"nethermind unknown method", -32601, "The method 'eth_foo' is not supported.", "", MethodNotFound, Capability},
	{"nethermind old nonce", -32010, "OldNonce", "", ExecutionRevert, Deterministic},
	{"nethermind duplicate tx", -32010, "AlreadyKnown", "", ExecutionRevert, Deterministic},
	{"nethermind no funds", -32010, "InsufficientFunds, Account balance: 0, cumulative cost: 21000000000000", "", ExecutionRevert, Deterministic},
	{"nethermind VM error", -32015, "VM execution error.", `"revert"`, ExecutionRevert, Deterministic},

	// Besu
	{"besu block ahead of head", -39001, "Block not found", "", BlockNotAvailable, Capability},
	{"besu revert", -32000, "Execution reverted", abiError("Not enough balance"), ExecutionRevert, Deterministic},
	{"besu upfront cost", -32004, "Upfront cost exceeds account balance", "", ExecutionRevert, Deterministic},
	{"besu nonce", -32001, "Nonce too low", "", ExecutionRevert, Deterministic},
	{"besu, reth unknown method", -32601, "Method not found", "", MethodNotFound, Capability},
	{"besu bad params", -32602, "Invalid params", "", InvalidParams, Deterministic},

	// Reth
	{"reth getLogs range", -32602, "query exceeds max block range 5000", "", CapabilityViolation, Capability},
	{"reth block ahead of head", -32001, "block not found: hash 0x5c5c6e8e1c0a1f5e2b6c0e7d3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a", "", BlockNotAvailable, Capability},
	{"reth trace on pruned state", -32003, "nonce too high", "", ExecutionRevert, Deterministic},
	{"reth eth_getProof window", -32000, "distance to target block exceeds maximum proof window", "", CapabilityViolation, Capability},
	{"reth getLogs blockHash with range", -32602, "Invalid params", `"fromBlock not allowed with blockHash at line 1 column 108"`, InvalidParams, Deterministic},

	// Alchemy
	{"alchemy throughput", 429, "Your app has exceeded its compute units per second capacity. If you have retries enabled, you can safely ignore this message. If not, check out https://docs.alchemy.com/reference/throughput", "", RateLimit, Quota},
	{"alchemy getLogs response size", -32602, "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit on the response size, or you can request any block range with a cap of 10K logs in the response. Based on your parameters and the response size limit, this block range should work: [0x0, 0xd043b8]", "", CapabilityViolation, Capability},
	{"alchemy free-tier getLogs range (-32600 is definitive)", -32600, "You can make eth_getLogs requests with up to a 500 block range. Based on your parameters, this block range should work: [0x123c9b2, 0x123cba5]", "", InvalidRequest, Deterministic},
	{"alchemy monthly cap (-32600, but a rate limit)", -32600, "Monthly capacity limit exceeded. Visit https://dashboard.alchemyapi.io/settings/billing to upgrade your scaling policy for continued service.", "", RateLimit, Quota},
	{"alchemy missing key", -32000, "Must be authenticated!", "", AuthError, ProviderFailure},

	// Infura
	{"infura rate limit", -32005, "project ID request rate exceeded", `{"see":"https://infura.io/docs/ethereum/jsonrpc/ratelimits","current_rps":13.333,"allowed_rps":10.0,"backoff_seconds":30.0}`, RateLimit, Quota},
	{"infura rate limit, nested data", -32005, "project ID request rate exceeded", `{"rate":{"allowed_rps":50,"backoff_seconds":0,"current_rps":52.3},"see":"https://infura.io/docs/ethereum/json-rpc/ratelimits"}`, RateLimit, Quota},
	{"infura legacy access", -32005, "legacy access request rate exceeded", `{"reason":"project ID not provided","see":"https://infura.io/dashboard"}`, RateLimit, Quota},
	{"infura daily cap", -32005, "daily request count exceeded, request rate limited", "", RateLimit, Quota},
	{"infura getLogs result count (message before -32005)", -32005, "query returned more than 10000 results. Try with this block range [0xBDE5F8, 0x102DBCC].", `{"from":"0xBDE5F8","limit":10000,"to":"0x102DBCC"}`, CapabilityViolation, Capability},
	{"infura getLogs range", -32602, "range 1000000 exceeds limit of 10000", "", CapabilityViolation, Capability},
	{"infura allowlist", -32002, "rejected due to project ID settings", "", ServerError, ProviderFailure},
	{"infura unsupported method", -32601, "The method eth_sign does not exist/is not available", "", MethodNotFound, Capability},
	{"infura ERC-20 revert", 3, "execution reverted: ERC20: transfer amount exceeds balance", abiError("ERC20: transfer amount exceeds balance"), ExecutionRevert, Deterministic},

	// QuickNode
	{"quicknode getLogs range", -32602, "eth_getLogs is limited to a 10,000 range", "", CapabilityViolation, Capability},
	{"quicknode per-second cap", -32007, "15/second request limit reached - reduce calls per second or upgrade your account at quicknode.com", "", RateLimit, Quota},
	{"quicknode per-second cap, short form", -32007, "50/second request limit reached - reduce calls per second", "", RateLimit, Quota},

	// publicnode (Allnodes)
	{"publicnode getLogs without address", -32701, "Please specify an address in your request or, to remove restrictions, order a dedicated full node here: https://www.allnodes.com/eth/host", "", CapabilityViolation, Capability},
	{"publicnode getLogs range", -32701, "exceed maximum block range: 50000", "", CapabilityViolation, Capability},

	// llamarpc
	{"llamarpc getLogs range", -32603, "eth_getLogs range is too large, max is 1k blocks", "", CapabilityViolation, Capability},
	{"llamarpc getLogs results", -32602, "query exceeds max results 20000", "", CapabilityViolation, Capability},

	// dRPC
	{"drpc free-tier range", 35, "ranges over 10000 blocks are not supported on freetier", "", CapabilityViolation, Capability},
	{"drpc block ahead of head", 26, "Unknown block", "", BlockNotAvailable, Capability},
	{"drpc free-tier timeout", 30, "Request timeout on the free tier, please upgrade your tier to the paid one", "", RateLimit, Quota},
	{"drpc transient", 19, "Temporary internal error. Please retry, trace-id: d13566efdd917dc22e5249387856f00d", "", ServerError, ProviderFailure},
	{"drpc subscription", 23, "Unsupported subscription: newHeads", "", CapabilityViolation, Capability},
	{"drpc cancelled", 14, "GRPC Context cancellation", "", ServerError, ProviderFailure},

	// Ankr
	{"ankr getLogs range (-32600 is definitive)", -32600, "block range is too wide", "", InvalidRequest, Deterministic},
	{"ankr getLogs distance", -32000, "maximum [from, to] blocks distance: 10000", "", CapabilityViolation, Capability},
	{"ankr key required", -32000, "Unauthorized: You must authenticate your request with an API key. Create an account on https://www.ankr.com/rpc/ and generate your personal API key for free.", "", AuthError, ProviderFailure},

	// Cloudflare Ethereum gateway
	{"cloudflare capacity", -32046, "Cannot fulfill request", "", RateLimit, Quota},

	// Lasso's captures of live providers (test/lasso/core/support/real_provider_block_errors_test.exs)
	{"merkle, 1rpc, llamarpc, nodies block ahead", -32001, "block not found: 0x1770b2b", "", BlockNotAvailable, Capability},
	{"onfinality block ahead (-32602)", -32602, "Unknown block number", "", BlockNotAvailable, Capability},
	{"lava block ahead (unrecognised)", -32000, "24578859 could not be found", "", UnclassifiedServerError, Deterministic},

	// other providers and clients
	{"tenderly getLogs range", -32602, "invalid params", `{"error_id":"4ed94073-0317-4648-a167-107fba5f44b3","payload":"range 9009594 is bigger than range limit 2000"}`, InvalidParams, Deterministic},
	{"candle getLogs range", -32600, "block range too high", "", InvalidRequest, Deterministic},
	{"morph getLogs range", -32000, "block range is larger than max block range, block range = 5120, max block range = 5000", "", CapabilityViolation, Capability},
	{"nodies getLogs range", -32602, "query exceeds max block range 100000", "", CapabilityViolation, Capability},
	{"nodies v2 getLogs range", -32001, "Block range too large: maximum allowed is 20000 blocks", "", CapabilityViolation, Capability},
	{"getLogs range under -32005", -32005, "eth_getLogs block range too large, range: 855077, max: 3500", "", CapabilityViolation, Capability},
	{"openethereum pruned state", -32000, "This request is not supported because your node is running with state pruning. Run with --pruning=archive.", "", CapabilityViolation, Capability},
	{"avalanche coreth getLogs range", -32000, "requested too many blocks from 0 to 16777216, maximum is set to 2048", "", UnclassifiedServerError, Deterministic},
	{"arbitrum nitro getLogs results", -32000, "logs matched by query exceeds limit of 10000", "", CapabilityViolation, Capability},
	{"hardhat revert (data.data)", -32603, "Error: VM Exception while processing transaction: reverted with reason string 'Not owner'", `{"message":"Error: VM Exception while processing transaction: reverted with reason string 'Not owner'","data":` + abiError("Not owner") + `}`, ExecutionRevert, Deterministic},
	{"ganache revert", -32000, "VM Exception while processing transaction: revert", "", ExecutionRevert, Deterministic},
	{"anvil revert", 3, "execution reverted: revert: Not owner", abiError("Not owner"), ExecutionRevert, Deterministic},

	// EIP-1193 (wallet providers, MetaMask's wording)
	{"eip-1193 user rejected", 4001, "User rejected the request.", "", UserError, Deterministic},
	{"eip-1193 unauthorized", 4100, "The requested account and/or method has not been authorized by the user.", "", AuthError, ProviderFailure},
	{"eip-1193 unsupported method (message wins over 4200)", 4200, "The requested method is not supported by this Ethereum provider.", "", CapabilityViolation, Capability},
	{"eip-1193 disconnected", 4900, "The provider is disconnected from all chains.", "", ChainError, ProviderFailure},
	{"eip-1193 chain disconnected", 4901, "The provider is disconnected from the specified chain.", "", NetworkError, ProviderFailure},
	{"metamask unknown chain", 4902, `Unrecognized chain ID "0x89". Try adding the chain using wallet_addEthereumChain first.`, "", UnknownError, Capability},
}

func TestRealProviderErrors(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range realErrors {
		key := fmt.Sprint(tc.code, "|", tc.message, "|", tc.data)
		if seen[key] {
			t.Errorf("%s: duplicate case", tc.source)
		}
		seen[key] = true
		var data []byte
		if tc.data != "" {
			data = []byte(tc.data)
			if !json.Valid(data) {
				t.Errorf("%s: test data is not JSON: %s", tc.source, tc.data)
			}
		}
		got := Error(tc.code, tc.message, data, nil)
		if got != tc.want {
			t.Errorf("%s: Error(%d, %q): got %s, want %s", tc.source, tc.code, tc.message, got, tc.want)
		}
		if v := got.Verdict(); v != tc.verdict {
			t.Errorf("%s: verdict of %s: got %s, want %s", tc.source, got, v, tc.verdict)
		}
	}
	if len(realErrors) < 100 {
		t.Errorf("real error strings: got %d, want at least 100", len(realErrors))
	}
}

// httpCase is a real non-2xx answer: status and body as the provider or its
// CDN sends them.
type httpCase struct {
	source  string
	status  int
	body    string
	want    Category
	verdict Verdict
}

const nginx502 = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

const nginx503 = "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

const elb504 = "<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n</body>\r\n</html>\r\n"

const nginx413 = "<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

const cloudflare403 = `<!DOCTYPE html>
<!--[if lt IE 7]> <html class="no-js ie6 oldie" lang="en-US"> <![endif]-->
<head>
<title>Attention Required! | Cloudflare</title>
</head>
<body>
<h1 data-translate="block_headline">Sorry, you have been blocked</h1>
<h2 class="cf-subheadline"><span data-translate="unable_to_access">You are unable to access</span> rpc.example.org</h2>
</body>
</html>`

var realHTTP = []httpCase{
	{"alchemy 429", 429, `{"jsonrpc":"2.0","id":1,"error":{"code":429,"message":"Your app has exceeded its compute units per second capacity. If you have retries enabled, you can safely ignore this message. If not, check out https://docs.alchemy.com/reference/throughput"}}`, RateLimit, Quota},
	{"infura 429", 429, `{"jsonrpc":"2.0","id":3419,"error":{"code":-32005,"message":"project ID request rate exceeded","data":{"rate":{"allowed_rps":50,"backoff_seconds":0,"current_rps":52.3},"see":"https://infura.io/docs/ethereum/json-rpc/ratelimits"}}}`, RateLimit, Quota},
	{"quicknode 429", 429, `{"code":-32007,"message":"300/second request limit reached - reduce calls per second or upgrade your account at quicknode.com"}`, RateLimit, Quota},
	{"bare 429", 429, "Too Many Requests", RateLimit, Quota},
	{"infura bad key (text/plain 401)", 401, "invalid project id\n", ServerError, ProviderFailure},
	{"alchemy missing key (401)", 401, `{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"Must be authenticated!"}}`, AuthError, ProviderFailure},
	{"ankr key required (403)", 403, `{"jsonrpc":"2.0","error":{"code":-32000,"message":"Unauthorized: You must authenticate your request with an API key. Create an account on https://www.ankr.com/rpc/ and generate your personal API key for free."},"id":null}`, AuthError, ProviderFailure},
	{"alchemy monthly cap (403, -32600)", 403, `{"jsonrpc":"2.0","id":6570,"error":{"code":-32600,"message":"Monthly capacity limit exceeded. Visit https://dashboard.alchemyapi.io/settings/billing to upgrade your scaling policy for continued service."}}`, RateLimit, Quota},
	{"cloudflare WAF block (403 HTML)", 403, cloudflare403, ServerError, ProviderFailure},
	{"cloudflare firewall (403)", 403, "error code: 1020", ServerError, ProviderFailure},
	{"method not found (404 with JSON-RPC)", 404, `{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not found"}}`, MethodNotFound, Capability},
	{"quicknode getLogs range (400 with JSON-RPC)", 400, `{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"eth_getLogs is limited to a 10,000 range"}}`, CapabilityViolation, Capability},
	{"nginx body limit (413)", 413, nginx413, ServerError, ProviderFailure},
	{"request timeout (408)", 408, "", ServerError, ProviderFailure},
	{"drpc transient (500 with JSON-RPC)", 500, `{"id":20,"jsonrpc":"2.0","error":{"message":"Temporary internal error. Please retry, trace-id: d13566efdd917dc22e5249387856f00d","code":19}}`, ServerError, ProviderFailure},
	{"revert under 500 stays a server error", 500, `{"jsonrpc":"2.0","id":1,"error":{"code":3,"message":"execution reverted","data":"0x08c379a0"}}`, ServerError, ProviderFailure},
	{"nginx 502", 502, nginx502, ServerError, ProviderFailure},
	{"nginx 503", 503, nginx503, ServerError, ProviderFailure},
	{"rate limit under 503", 503, `{"jsonrpc":"2.0","id":1,"error":{"code":-32005,"message":"rate limit exceeded"}}`, RateLimit, Quota},
	{"gateway timeout 504", 504, elb504, ServerError, ProviderFailure},
	{"cloudflare origin down (522)", 522, "error code: 522", ServerError, ProviderFailure},
}

// bodyError is how a caller finds the JSON-RPC error in an HTTP body.
func bodyError(body string) *RPCError {
	var w struct {
		Error *struct {
			Code    *int            `json:"code"`
			Message string          `json:"message"`
			Data    json.RawMessage `json:"data"`
		} `json:"error"`
	}
	if json.Unmarshal([]byte(body), &w) != nil || w.Error == nil || w.Error.Code == nil {
		return nil
	}
	return &RPCError{Code: *w.Error.Code, Message: w.Error.Message, Data: w.Error.Data}
}

func TestRealHTTPAnswers(t *testing.T) {
	for _, tc := range realHTTP {
		got := HTTP(tc.status, bodyError(tc.body), nil)
		if got != tc.want {
			t.Errorf("%s: HTTP(%d): got %s, want %s", tc.source, tc.status, got, tc.want)
		}
		if v := got.Verdict(); v != tc.verdict {
			t.Errorf("%s: verdict of %s: got %s, want %s", tc.source, got, v, tc.verdict)
		}
	}
}

// TestAlchemyRules shows the error_rules that route Alchemy's -32600 limits
// (definitive by code) to the right bucket.
func TestAlchemyRules(t *testing.T) {
	code := -32600
	rules := []Rule{
		{Code: &code, MessageContains: []string{"capacity limit"}, Category: RateLimit},
		{Code: &code, MessageContains: []string{"block range"}, Category: CapabilityViolation},
	}
	for _, tc := range []struct {
		msg  string
		want Category
	}{
		{"Monthly capacity limit exceeded. Visit https://dashboard.alchemyapi.io/settings/billing to upgrade your scaling policy for continued service.", RateLimit},
		{"You can make eth_getLogs requests with up to a 500 block range. Based on your parameters, this block range should work: [0x123c9b2, 0x123cba5]", CapabilityViolation},
		{"invalid request", InvalidRequest},
	} {
		if got := Error(code, tc.msg, nil, rules); got != tc.want {
			t.Errorf("Error(-32600, %q) with rules: got %s, want %s", tc.msg, got, tc.want)
		}
	}
}
