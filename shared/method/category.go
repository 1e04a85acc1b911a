package method

import "slices"

// Category groups methods by how providers tend to support them, so that a
// profile can switch off a whole family with one name.
type Category string

// The category names are the strings profiles use in
// capabilities.unsupported_categories, so they must not change.
const (
	Core          Category = "core"
	State         Category = "state"
	Network       Category = "network"
	NodeAdmin     Category = "node_admin"
	EIP1559       Category = "eip1559"
	EIP4844       Category = "eip4844"
	Mempool       Category = "mempool"
	Filters       Category = "filters"
	Subscriptions Category = "subscriptions"
	Batch         Category = "batch"
	Debug         Category = "debug"
	Trace         Category = "trace"
	LocalOnly     Category = "local_only"
	TxPool        Category = "txpool"
	// Unknown is what an unlisted method gets; it is not a name a profile can
	// disable, because nothing is known about such methods.
	Unknown Category = "unknown"
)

// membership mirrors Lasso's MethodRegistry. Its order is the order
// Categories reports, so error messages and docs stay stable.
var membership = []struct {
	category Category
	methods  []string
}{
	{Core, []string{
		"eth_blockNumber",
		"eth_chainId",
		"eth_gasPrice",
		"eth_getBalance",
		"eth_getCode",
		"eth_getTransactionByHash",
		"eth_getTransactionReceipt",
		"eth_getBlockByNumber",
		"eth_getBlockByHash",
		"eth_getBlockTransactionCountByHash",
		"eth_getBlockTransactionCountByNumber",
		"eth_getUncleCountByBlockHash",
		"eth_getUncleCountByBlockNumber",
		"eth_getUncleByBlockHashAndIndex",
		"eth_getUncleByBlockNumberAndIndex",
		"eth_getTransactionByBlockHashAndIndex",
		"eth_getTransactionByBlockNumberAndIndex",
	}},
	// State reads may need an archive node for old blocks.
	{State, []string{
		"eth_call",
		"eth_simulateV1", // a read like eth_call (later Lasso: extended_reads)
		"eth_estimateGas",
		"eth_getStorageAt",
		"eth_getTransactionCount",
		"eth_createAccessList",
		"eth_getProof",
	}},
	{Network, []string{
		"net_version",
		"web3_clientVersion",
		"web3_sha3",
		"eth_syncing",
	}},
	// Kept apart from Network because hosted providers often withhold node
	// introspection on purpose, and profiles want to say so without losing
	// net_version.
	{NodeAdmin, []string{
		"net_listening",
		"net_peerCount",
		"eth_protocolVersion",
	}},
	{EIP1559, []string{
		"eth_maxPriorityFeePerGas",
		"eth_feeHistory",
	}},
	{EIP4844, []string{
		"eth_blobBaseFee",
	}},
	{Mempool, []string{
		"eth_sendRawTransaction",
	}},
	// Log queries live here with the stateful filters because providers
	// restrict both in the same ways (block ranges, address counts).
	{Filters, []string{
		"eth_getLogs",
		"eth_newFilter",
		"eth_getFilterChanges",
		"eth_getFilterLogs",
		"eth_uninstallFilter",
		"eth_newBlockFilter",
		"eth_newPendingTransactionFilter",
	}},
	{Subscriptions, []string{
		"eth_subscribe",
		"eth_unsubscribe",
	}},
	{Batch, []string{
		"eth_getBlockReceipts",
	}},
	{Debug, []string{
		"debug_traceTransaction",
		"debug_traceBlockByNumber",
		"debug_traceBlockByHash",
		"debug_traceCall",
		"debug_getBadBlocks",
		"debug_storageRangeAt",
		"debug_getModifiedAccountsByNumber",
		"debug_getModifiedAccountsByHash",
	}},
	{Trace, []string{
		"trace_block",
		"trace_transaction",
		"trace_call",
		"trace_callMany",
		"trace_rawTransaction",
		"trace_replayBlockTransactions",
		"trace_replayTransaction",
		"trace_filter",
		"trace_get",
	}},
	// Methods that need the node's own keys or miner; hosted providers never
	// serve them.
	{LocalOnly, []string{
		"eth_accounts",
		"eth_sign",
		"eth_signTransaction",
		"eth_sendTransaction",
		"eth_coinbase",
		"eth_mining",
		"eth_hashrate",
		"eth_getWork",
		"eth_submitWork",
		"eth_submitHashrate",
	}},
	{TxPool, []string{
		"txpool_status",
		"txpool_content",
		"txpool_inspect",
	}},
}

var (
	categoryList     = listCategories()
	categoryByMethod = indexCategories()
	validCategories  = categorySet()
)

func listCategories() []Category {
	out := make([]Category, 0, len(membership))
	for _, m := range membership {
		out = append(out, m.category)
	}
	return out
}

func indexCategories() map[string]Category {
	idx := make(map[string]Category)
	for _, m := range membership {
		for _, name := range m.methods {
			idx[name] = m.category
		}
	}
	return idx
}

func categorySet() map[Category]struct{} {
	set := make(map[Category]struct{}, len(membership))
	for _, m := range membership {
		set[m.category] = struct{}{}
	}
	return set
}

// Categories lists every category a profile may name as unsupported, in a
// stable order. It returns a copy so callers cannot alter the registry.
func Categories() []Category {
	return slices.Clone(categoryList)
}

// Valid reports whether c is a category a profile may name. Unknown is not,
// since disabling "everything we know nothing about" is not a capability.
func (c Category) Valid() bool {
	_, ok := validCategories[c]
	return ok
}

// CategoryOf returns the category of the named method, or Unknown.
func CategoryOf(name string) Category {
	if c, ok := categoryByMethod[name]; ok {
		return c
	}
	return Unknown
}
