package method

import (
	"testing"
	"time"
)

func TestTimeout(t *testing.T) {
	tests := []struct {
		method string
		want   time.Duration
	}{
		{"eth_blockNumber", 1000 * time.Millisecond},
		{"eth_chainId", 1000 * time.Millisecond},
		{"net_version", 1000 * time.Millisecond},
		{"web3_clientVersion", 1000 * time.Millisecond},
		{"eth_gasPrice", 2000 * time.Millisecond},
		{"eth_getBalance", 2000 * time.Millisecond},
		{"eth_getTransactionCount", 2000 * time.Millisecond},
		{"eth_getCode", 2000 * time.Millisecond},
		{"eth_getTransactionByHash", 2000 * time.Millisecond},
		{"eth_getBlockByNumber", 2000 * time.Millisecond},
		{"eth_getBlockByHash", 2000 * time.Millisecond},
		{"eth_getTransactionReceipt", 3000 * time.Millisecond},
		{"eth_call", 5000 * time.Millisecond},
		{"eth_estimateGas", 5000 * time.Millisecond},
		{"eth_getLogs", 5000 * time.Millisecond},
		{"eth_getFilterLogs", 5000 * time.Millisecond},
		{"eth_newFilter", 2000 * time.Millisecond},
		{"eth_getProof", 10000 * time.Millisecond},
		{"debug_traceTransaction", 30000 * time.Millisecond},
		{"debug_traceBlock", 45000 * time.Millisecond},
		{"eth_getBlockReceipts", 10000 * time.Millisecond},
		{"debug_traceBlockByNumber", 10000 * time.Millisecond},
		{"eth_doesNotExist", 10000 * time.Millisecond},
		{"", 10000 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			if got := Timeout(tt.method); got != tt.want {
				t.Errorf("Timeout(%q): got %v, want %v", tt.method, got, tt.want)
			}
		})
	}
}
