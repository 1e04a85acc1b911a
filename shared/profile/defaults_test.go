package profile_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/profile"
)

// profileView is what a table case reads its value from.
type profileView struct {
	p  *profile.Profile
	ch *profile.Chain
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	const src = `---
name: T
slug: t
---
chains:
  arbitrum:
    chain_id: 42161
    providers:
      - id: a
        url: https://a.example
  eth:
    chain_id: 1
    monitoring:
      lag_alert_threshold_blocks: 3
    websocket:
      subscribe_new_heads: false
    ui-topology:
      color: "#000000"
    providers:
      - id: b
        ws_url: wss://b.example
      - id: c
        url: https://c.example
        subscribe_new_heads: true
        capabilities:
          limits:
            max_block_range: 5
`
	p := mustProfile(t, "dir/t.yml", src, nolookup)
	arb, eth := p.Chains[0], p.Chains[1]
	a := arb.Providers[0]
	b, _ := eth.Provider("b")
	c, _ := eth.Provider("c")
	tests := []struct {
		name      string
		got, want any
	}{
		{"rps_limit", p.RPSLimit, 100},
		{"burst_limit", p.BurstLimit, 500},
		{"unlisted", p.Unlisted, false},
		{"chain name is the key", arb.Name, "arbitrum"},
		{"chain aliases", arb.Aliases, []string(nil)},
		{"IDHex lower-case JSON string", string(arb.IDHex), `"0xa4b1"`},
		{"IDHex of chain 1", string(eth.IDHex), `"0x1"`},
		{"block time unset", arb.BlockTime, time.Duration(0)},
		{"probe interval without monitoring", arb.Monitoring.ProbeInterval, 12 * time.Second},
		{"probe interval with monitoring", eth.Monitoring.ProbeInterval, 15 * time.Second},
		{"lag alert threshold", arb.Monitoring.LagAlertThreshold, 3},
		{"max_lag_blocks unset", arb.Selection.MaxLagBlocks, -1},
		{"archival_threshold", arb.Selection.ArchivalThreshold, 128},
		{"subscribe_new_heads", arb.WebSocket.SubscribeNewHeads, true},
		{"new_heads_timeout", arb.WebSocket.NewHeadsTimeout, 42 * time.Second},
		{"max_backfill_blocks", arb.WebSocket.MaxBackfillBlocks, 100},
		{"backfill_timeout", arb.WebSocket.BackfillTimeout, 30 * time.Second},
		{"ui color", arb.UI.Color, "#6B7280"},
		{"ui size", arb.UI.Size, "md"},
		{"ui size when only color given", eth.UI.Size, "md"},
		{"ui color given", eth.UI.Color, "#000000"},
		{"provider name is the id", a.Name, "a"},
		{"provider priority", a.Priority, 100},
		{"provider archival", a.Archival, true},
		{"provider isolated", a.Isolated, false},
		{"provider ws_url unset", a.WSURL, ""},
		{"provider url unset", b.URL, ""},
		{"provider redacted from ws_url", b.Redacted, "wss://b.example"},
		{"provider subscribe inherits true", a.SubscribeNewHeads, true},
		{"provider subscribe inherits false", b.SubscribeNewHeads, false},
		{"provider subscribe overrides chain", c.SubscribeNewHeads, true},
		{"capabilities categories", a.Capabilities.UnsupportedCategories, []string{"local_only"}},
		{"capabilities max_block_range", a.Capabilities.MaxBlockRange, -1},
		{"capabilities max_block_age", a.Capabilities.MaxBlockAge, -1},
		{"capabilities methods", a.Capabilities.UnsupportedMethods, []string(nil)},
		{"capabilities rules", len(a.Capabilities.ErrorRules), 0},
		{"partial capabilities keep categories", c.Capabilities.UnsupportedCategories, []string{"local_only"}},
		{"partial capabilities keep max_block_age", c.Capabilities.MaxBlockAge, -1},
		{"partial capabilities given range", c.Capabilities.MaxBlockRange, 5},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s: got %#v, want %#v", tt.name, tt.got, tt.want)
		}
	}
}

// TestExplicitValues checks that given values replace the defaults.
func TestExplicitValues(t *testing.T) {
	t.Parallel()
	src := doc("rps_limit: 7\nburst_limit: 8\nlogo: /l.svg\nunlisted: true\ntype: whatever",
		`name: Ethereum
url_aliases: [mainnet]
block_time_ms: 12000
monitoring: {probe_interval_ms: 100, lag_alert_threshold_blocks: 0}
selection: {max_lag_blocks: 0, archival_threshold: 0}
websocket:
  subscribe_new_heads: false
  new_heads_timeout_ms: 120000
  failover: {max_backfill_blocks: 10000, backfill_timeout_ms: 5000}
ui-topology: {color: "#627EEA", size: xl}`,
		`name: Alpha
priority: 0
ws_url: wss://a.example
archival: false
sharing_mode: auto
type: paid
api_key_required: true
credentials: {user: x}
capabilities:
  unsupported_categories: []
  unsupported_methods: [eth_getProof]
  limits: {max_block_range: 0, max_block_age: 0, block_age_methods: [eth_call]}
  error_rules:
    - {code: 429, category: rate_limit}
    - {message_contains: "Compute Units", category: rate_limit}
    - {code: -32000, message_contains: [Pruned, "missing TRIE"], category: requires_archival}`)
	p := mustProfile(t, "dir/t.yml", src, nolookup)
	ch := p.Chains[0]
	pr := ch.Providers[0]
	caps := pr.Capabilities
	codeOf := func(i int) any {
		if caps.ErrorRules[i].Code == nil {
			return nil
		}
		return *caps.ErrorRules[i].Code
	}
	if len(caps.ErrorRules) != 3 {
		t.Fatalf("error rules: got %d, want 3", len(caps.ErrorRules))
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"rps_limit", p.RPSLimit, 7},
		{"burst_limit", p.BurstLimit, 8},
		{"logo", p.Logo, "/l.svg"},
		{"unlisted", p.Unlisted, true},
		{"name", p.Name, "T"},
		{"chain name", ch.Name, "Ethereum"},
		{"aliases", ch.Aliases, []string{"mainnet"}},
		{"block time", ch.BlockTime, 12 * time.Second},
		{"probe interval", ch.Monitoring.ProbeInterval, 100 * time.Millisecond},
		{"lag alert", ch.Monitoring.LagAlertThreshold, 0},
		{"max lag", ch.Selection.MaxLagBlocks, 0},
		{"archival threshold", ch.Selection.ArchivalThreshold, 0},
		{"subscribe", ch.WebSocket.SubscribeNewHeads, false},
		{"new heads timeout", ch.WebSocket.NewHeadsTimeout, 120 * time.Second},
		{"max backfill", ch.WebSocket.MaxBackfillBlocks, 10000},
		{"backfill timeout", ch.WebSocket.BackfillTimeout, 5 * time.Second},
		{"ui", ch.UI.Color + " " + ch.UI.Size, "#627EEA xl"},
		{"provider name", pr.Name, "Alpha"},
		{"priority", pr.Priority, 0},
		{"archival", pr.Archival, false},
		{"subscribe inherited", pr.SubscribeNewHeads, false},
		{"isolated", pr.Isolated, false},
		{"empty categories replace the default", caps.UnsupportedCategories, []string{}},
		{"methods", caps.UnsupportedMethods, []string{"eth_getProof"}},
		{"max block range", caps.MaxBlockRange, 0},
		{"max block age", caps.MaxBlockAge, 0},
		{"block age methods", caps.BlockAgeMethods, []string{"eth_call"}},
		{"rule 0 code", codeOf(0), 429},
		{"rule 0 messages", caps.ErrorRules[0].MessageContains, []string(nil)},
		{"rule 1 code", codeOf(1), nil},
		{"rule 1 single string, lower-cased", caps.ErrorRules[1].MessageContains, []string{"compute units"}},
		{"rule 2 code", codeOf(2), -32000},
		{"rule 2 list, lower-cased", caps.ErrorRules[2].MessageContains, []string{"pruned", "missing trie"}},
		{"rule 2 category", string(caps.ErrorRules[2].Category), "requires_archival"},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s: got %#v, want %#v", tt.name, tt.got, tt.want)
		}
	}
}

// TestAliasesAndLegacyLocations checks the second names and old homes
// Lasso accepts for some fields.
func TestAliasesAndLegacyLocations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		front, chain string
		got          func(p profileView) any
		want         any
	}{
		{"default_rps_limit", "default_rps_limit: 7", "", func(v profileView) any { return v.p.RPSLimit }, 7},
		{"default_burst_limit", "default_burst_limit: 9", "", func(v profileView) any { return v.p.BurstLimit }, 9},
		{"aliases", "", "aliases: [x, y]", func(v profileView) any { return v.ch.Aliases }, []string{"x", "y"}},
		{"url_aliases", "", "url_aliases: [x]", func(v profileView) any { return v.ch.Aliases }, []string{"x"}},
		{"alias resolves", "", "aliases: [x]", func(v profileView) any { c, _ := v.p.Chain("x"); return c.Key }, "eth"},
		{"lag_threshold_blocks", "", "monitoring: {lag_threshold_blocks: 9}",
			func(v profileView) any { return v.ch.Monitoring.LagAlertThreshold }, 9},
		{"websocket.failover.backfill_timeout", "", "websocket: {failover: {backfill_timeout: 7000}}",
			func(v profileView) any { return v.ch.WebSocket.BackfillTimeout }, 7 * time.Second},
		{"monitoring.subscribe_new_heads", "", "monitoring: {subscribe_new_heads: false}",
			func(v profileView) any { return v.ch.WebSocket.SubscribeNewHeads }, false},
		{"monitoring.subscribe_new_heads reaches providers", "", "monitoring: {subscribe_new_heads: false}",
			func(v profileView) any { return v.ch.Providers[0].SubscribeNewHeads }, false},
		{"monitoring.new_heads_staleness_threshold_ms", "", "monitoring: {new_heads_staleness_threshold_ms: 60000}",
			func(v profileView) any { return v.ch.WebSocket.NewHeadsTimeout }, 60 * time.Second},
		{"legacy monitoring keeps websocket timeout", "", "monitoring: {subscribe_new_heads: false}\nwebsocket: {new_heads_timeout_ms: 6000}",
			func(v profileView) any { return v.ch.WebSocket.NewHeadsTimeout }, 6 * time.Second},
		{"top-level failover max_backfill_blocks", "", "failover: {max_backfill_blocks: 7}",
			func(v profileView) any { return v.ch.WebSocket.MaxBackfillBlocks }, 7},
		{"top-level failover backfill_timeout_ms", "", "failover: {backfill_timeout_ms: 8000}",
			func(v profileView) any { return v.ch.WebSocket.BackfillTimeout }, 8 * time.Second},
		{"top-level failover backfill_timeout", "", "failover: {backfill_timeout: 9000}",
			func(v profileView) any { return v.ch.WebSocket.BackfillTimeout }, 9 * time.Second},
		{"top-level failover keeps websocket settings", "", "websocket: {subscribe_new_heads: false}\nfailover: {max_backfill_blocks: 7}",
			func(v profileView) any { return v.ch.WebSocket.SubscribeNewHeads }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := mustProfile(t, "dir/t.yml", doc(tt.front, tt.chain, ""), nolookup)
			if got := tt.got(profileView{p, p.Chains[0]}); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}
