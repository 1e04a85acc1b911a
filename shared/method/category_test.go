package method

import "testing"

func TestCategoryOf(t *testing.T) {
	tests := []struct {
		name   string
		method string
		want   Category
	}{
		{"core", "eth_blockNumber", Core},
		{"state", "eth_call", State},
		{"state proof", "eth_getProof", State},
		{"network", "net_version", Network},
		{"node admin", "net_peerCount", NodeAdmin},
		{"eip1559", "eth_feeHistory", EIP1559},
		{"eip4844", "eth_blobBaseFee", EIP4844},
		{"mempool", "eth_sendRawTransaction", Mempool},
		{"filters get logs", "eth_getLogs", Filters},
		{"filters new filter", "eth_newFilter", Filters},
		{"subscriptions", "eth_subscribe", Subscriptions},
		{"batch", "eth_getBlockReceipts", Batch},
		{"debug", "debug_traceTransaction", Debug},
		{"trace", "trace_block", Trace},
		{"local only", "eth_sendTransaction", LocalOnly},
		{"txpool", "txpool_status", TxPool},
		{"unknown method", "eth_doesNotExist", Unknown},
		{"empty name", "", Unknown},
		{"case matters", "ETH_BLOCKNUMBER", Unknown},
		{"signing outside registry", "personal_sign", Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CategoryOf(tt.method); got != tt.want {
				t.Errorf("CategoryOf(%q): got %q, want %q", tt.method, got, tt.want)
			}
		})
	}
}

func TestCategoriesExcludeUnknownAndAreValid(t *testing.T) {
	got := Categories()
	want := []Category{
		Core, State, Network, NodeAdmin, EIP1559, EIP4844, Mempool,
		Filters, Subscriptions, Batch, Debug, Trace, LocalOnly, TxPool,
	}
	if len(got) != len(want) {
		t.Fatalf("Categories(): got %d categories %v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Categories()[%d]: got %q, want %q", i, got[i], want[i])
		}
		if !got[i].Valid() {
			t.Errorf("%q.Valid(): got false, want true", got[i])
		}
	}
}

func TestCategoriesReturnsCopy(t *testing.T) {
	Categories()[0] = "mutated"
	if got := Categories()[0]; got != Core {
		t.Errorf("Categories()[0] after caller mutation: got %q, want %q", got, Core)
	}
}

func TestCategoryValid(t *testing.T) {
	tests := []struct {
		name string
		c    Category
		want bool
	}{
		{"listed", Debug, true},
		{"unknown", Unknown, false},
		{"empty", "", false},
		{"misspelt", "Debug", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.Valid(); got != tt.want {
				t.Errorf("Category(%q).Valid(): got %v, want %v", tt.c, got, tt.want)
			}
		})
	}
}

func TestMembershipHasNoDuplicates(t *testing.T) {
	seenMethod := map[string]Category{}
	seenCategory := map[Category]bool{}
	for _, m := range membership {
		if seenCategory[m.category] {
			t.Errorf("category %q: got listed twice, want once", m.category)
		}
		seenCategory[m.category] = true
		if m.category == Unknown {
			t.Errorf("membership lists %q: want it reserved for unlisted methods", Unknown)
		}
		if len(m.methods) == 0 {
			t.Errorf("category %q: got no methods, want at least one", m.category)
		}
		for _, name := range m.methods {
			if prev, ok := seenMethod[name]; ok {
				t.Errorf("method %q: got categories %q and %q, want one", name, prev, m.category)
			}
			seenMethod[name] = m.category
		}
	}
}

// TestMembershipCounts pins the table to Lasso's registry so an accidental
// deletion or move shows up as a count change.
func TestMembershipCounts(t *testing.T) {
	want := map[Category]int{
		Core: 17, State: 7, Network: 4, NodeAdmin: 3, EIP1559: 2, EIP4844: 1,
		Mempool: 1, Filters: 7, Subscriptions: 2, Batch: 1, Debug: 8, Trace: 9,
		LocalOnly: 10, TxPool: 3,
	}
	for _, m := range membership {
		if got := len(m.methods); got != want[m.category] {
			t.Errorf("category %q: got %d methods, want %d", m.category, got, want[m.category])
		}
	}
}
