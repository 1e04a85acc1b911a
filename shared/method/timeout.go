package method

import "time"

// defaultTimeout bounds any method without its own entry; it is generous
// enough for an ordinary read yet short enough to leave time for failover.
const defaultTimeout = 10 * time.Second

// timeouts follows Lasso's MethodPolicy: each value sits above the method's
// observed p99 so a slow-but-healthy provider is not abandoned, while cheap
// calls fail over quickly.
var timeouts = map[string]time.Duration{
	"eth_blockNumber":    1 * time.Second,
	"eth_chainId":        1 * time.Second,
	"net_version":        1 * time.Second,
	"web3_clientVersion": 1 * time.Second,

	"eth_gasPrice":             2 * time.Second,
	"eth_getBalance":           2 * time.Second,
	"eth_getTransactionCount":  2 * time.Second,
	"eth_getCode":              2 * time.Second,
	"eth_getTransactionByHash": 2 * time.Second,
	"eth_getBlockByNumber":     2 * time.Second,
	"eth_getBlockByHash":       2 * time.Second,

	"eth_getTransactionReceipt": 3 * time.Second,

	"eth_call":          5 * time.Second,
	"eth_estimateGas":   5 * time.Second,
	"eth_getLogs":       5 * time.Second,
	"eth_getFilterLogs": 5 * time.Second,

	"eth_newFilter": 2 * time.Second,

	// Proofs walk the state trie, whose cost varies widely by provider.
	"eth_getProof": 10 * time.Second,

	// Tracing replays the EVM, so it is slow even when healthy.
	"debug_traceTransaction": 30 * time.Second,
	"debug_traceBlock":       45 * time.Second,
}

// Timeout returns how long one request for the named method may take.
func Timeout(name string) time.Duration {
	if d, ok := timeouts[name]; ok {
		return d
	}
	return defaultTimeout
}
