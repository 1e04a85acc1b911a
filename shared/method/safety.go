package method

// Safety says what may happen if a request is sent more than once, which is
// what decides whether the router may try another provider after a send.
type Safety uint8

const (
	// ReplaySafe methods only read chain data, so a second provider answering
	// the same request cannot cause harm.
	ReplaySafe Safety = iota
	// RawTransaction broadcasts a signed transaction; resending it elsewhere
	// can race nonces and duplicate side effects.
	RawTransaction
	// UpstreamSigned asks the provider to sign with its own keys.
	UpstreamSigned
	// Filter methods create or use filter state that exists on one provider
	// only, so another provider cannot continue them.
	Filter
	// Subscription methods are bound to one upstream connection.
	Subscription
	// UnknownSafety is for methods nobody has vouched for; they are sent once.
	UnknownSafety
)

var safetyNames = [...]string{
	ReplaySafe:     "replay_safe",
	RawTransaction: "raw_transaction_broadcast",
	UpstreamSigned: "upstream_signed",
	Filter:         "filter",
	Subscription:   "subscription",
	UnknownSafety:  "unknown",
}

// String returns the class name Lasso uses in logs and telemetry. Values out
// of range read as "unknown", matching how they are treated.
func (s Safety) String() string {
	if int(s) < len(safetyNames) {
		return safetyNames[s]
	}
	return safetyNames[UnknownSafety]
}

// ReplaySafe reports whether a request may be retried on another provider
// after it has been sent.
func (s Safety) ReplaySafe() bool { return s == ReplaySafe }

// replaySafeCategories are the categories whose methods are pure reads that
// need no provider-local state.
var replaySafeCategories = []Category{
	Core, State, Network, NodeAdmin, EIP1559, EIP4844, Batch, Debug, Trace, TxPool,
}

// explicitSafety names methods whose class does not follow from their
// category. It wins over replaySafeCategories.
var explicitSafety = []struct {
	safety  Safety
	methods []string
}{
	// eth_getLogs is in Filters for capability reasons but is a stateless
	// read, unlike the rest of that category.
	{ReplaySafe, []string{"eth_getLogs"}},
	{RawTransaction, []string{"eth_sendRawTransaction"}},
	{UpstreamSigned, []string{
		"eth_sendTransaction",
		"eth_sign",
		"eth_signTransaction",
		"personal_sign",
		"personal_sendTransaction",
	}},
	{Filter, []string{
		"eth_newFilter",
		"eth_newBlockFilter",
		"eth_newPendingTransactionFilter",
		"eth_getFilterChanges",
		"eth_getFilterLogs",
		"eth_uninstallFilter",
	}},
	{Subscription, []string{"eth_subscribe", "eth_unsubscribe"}},
}

var safetyByMethod = indexSafety()

func indexSafety() map[string]Safety {
	idx := make(map[string]Safety)
	for _, m := range membership {
		for _, c := range replaySafeCategories {
			if m.category != c {
				continue
			}
			for _, name := range m.methods {
				idx[name] = ReplaySafe
			}
		}
	}
	for _, e := range explicitSafety {
		for _, name := range e.methods {
			idx[name] = e.safety
		}
	}
	return idx
}

// SafetyOf returns the safety class of the named method.
func SafetyOf(name string) Safety {
	// The ok check matters: the zero Safety is ReplaySafe, and an unlisted
	// method must never default to being retried.
	if s, ok := safetyByMethod[name]; ok {
		return s
	}
	return UnknownSafety
}
