package method

import "testing"

func TestSafetyOf(t *testing.T) {
	tests := []struct {
		name   string
		method string
		want   Safety
	}{
		{"core read", "eth_blockNumber", ReplaySafe},
		{"state read", "eth_call", ReplaySafe},
		{"network", "web3_clientVersion", ReplaySafe},
		{"node admin", "eth_protocolVersion", ReplaySafe},
		{"eip1559", "eth_maxPriorityFeePerGas", ReplaySafe},
		{"eip4844", "eth_blobBaseFee", ReplaySafe},
		{"batch", "eth_getBlockReceipts", ReplaySafe},
		{"debug", "debug_traceCall", ReplaySafe},
		{"trace", "trace_filter", ReplaySafe},
		{"txpool", "txpool_content", ReplaySafe},
		{"get logs despite filters category", "eth_getLogs", ReplaySafe},
		{"raw transaction", "eth_sendRawTransaction", RawTransaction},
		{"send transaction", "eth_sendTransaction", UpstreamSigned},
		{"sign", "eth_sign", UpstreamSigned},
		{"sign transaction", "eth_signTransaction", UpstreamSigned},
		{"personal sign", "personal_sign", UpstreamSigned},
		{"personal send", "personal_sendTransaction", UpstreamSigned},
		{"new filter", "eth_newFilter", Filter},
		{"new block filter", "eth_newBlockFilter", Filter},
		{"new pending filter", "eth_newPendingTransactionFilter", Filter},
		{"filter changes", "eth_getFilterChanges", Filter},
		{"filter logs", "eth_getFilterLogs", Filter},
		{"uninstall filter", "eth_uninstallFilter", Filter},
		{"subscribe", "eth_subscribe", Subscription},
		{"unsubscribe", "eth_unsubscribe", Subscription},
		{"local only without signing", "eth_accounts", UnknownSafety},
		{"unknown method", "eth_doesNotExist", UnknownSafety},
		{"empty name", "", UnknownSafety},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SafetyOf(tt.method); got != tt.want {
				t.Errorf("SafetyOf(%q): got %v, want %v", tt.method, got, tt.want)
			}
		})
	}
}

func TestOnlyReplaySafeIsReplaySafe(t *testing.T) {
	for s := ReplaySafe; s <= UnknownSafety+1; s++ {
		want := s == ReplaySafe
		if got := s.ReplaySafe(); got != want {
			t.Errorf("%v.ReplaySafe(): got %v, want %v", s, got, want)
		}
	}
	if SafetyOf("eth_doesNotExist").ReplaySafe() {
		t.Errorf("SafetyOf(unknown).ReplaySafe(): got true, want false")
	}
}

func TestSafetyString(t *testing.T) {
	tests := []struct {
		s    Safety
		want string
	}{
		{ReplaySafe, "replay_safe"},
		{RawTransaction, "raw_transaction_broadcast"},
		{UpstreamSigned, "upstream_signed"},
		{Filter, "filter"},
		{Subscription, "subscription"},
		{UnknownSafety, "unknown"},
		{UnknownSafety + 1, "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.s.String(); got != tt.want {
				t.Errorf("Safety(%d).String(): got %q, want %q", uint8(tt.s), got, tt.want)
			}
		})
	}
}

// TestSafetyFollowsCategory checks every registered method, not just samples,
// so a method added to the table gets the class its category implies.
func TestSafetyFollowsCategory(t *testing.T) {
	replaySafe := map[Category]bool{}
	for _, c := range replaySafeCategories {
		replaySafe[c] = true
	}
	for _, m := range membership {
		for _, name := range m.methods {
			got := SafetyOf(name).ReplaySafe()
			want := replaySafe[m.category] || name == "eth_getLogs"
			if got != want {
				t.Errorf("SafetyOf(%q) in %q: got replay-safe %v, want %v", name, m.category, got, want)
			}
		}
	}
}
