package profile_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/lasso-serverless/lasso/shared/profile"
)

// chainsSrc is a valid profile t with the given chains body (indented under
// "chains:" by the caller).
func chainsSrc(chains string) string {
	return "---\nname: T\nslug: t\n---\nchains:\n" + chains
}

const ethChain = `  eth:
    chain_id: 1
    providers:
      - id: a
        url: https://a.example
`

// TestProblems checks each validation problem: file, YAML path, line (the
// line marked "#<" in the source, 0 when none is) and message.
func TestProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file string // default dir/t.yml
		src  string
		env  map[string]string
		path string
		msg  []string
	}{
		// Unknown keys, at every level.
		{name: "unknown key in frontmatter", src: doc("colour: red #<", "", ""), path: "colour",
			msg: []string{`unknown key "colour"`, "allowed: burst_limit, default_burst_limit"}},
		{name: "unknown key in body", src: doc("", "", "") + "extras: 1 #<\n", path: "extras", msg: []string{`unknown key "extras"`, "allowed: chains"}},
		{name: "unknown key in chain", src: doc("", "colour: red #<", ""), path: "chains.eth.colour", msg: []string{`unknown key "colour"`, "chain_id"}},
		{name: "unknown key in monitoring", src: doc("", "monitoring:\n  probe_interval: 5 #<", ""),
			path: "chains.eth.monitoring.probe_interval", msg: []string{"unknown key", "probe_interval_ms"}},
		{name: "unknown key in selection", src: doc("", "selection: {max_lag: 1} #<", ""), path: "chains.eth.selection.max_lag", msg: []string{"unknown key"}},
		{name: "unknown key in websocket", src: doc("", "websocket:\n  subscribe: true #<", ""), path: "chains.eth.websocket.subscribe", msg: []string{"unknown key"}},
		{name: "unknown key in websocket failover", src: doc("", "websocket:\n  failover:\n    blocks: 1 #<", ""),
			path: "chains.eth.websocket.failover.blocks", msg: []string{"unknown key", "max_backfill_blocks"}},
		{name: "unknown key in legacy failover", src: doc("", "failover: {blocks: 1} #<", ""), path: "chains.eth.failover.blocks", msg: []string{"unknown key"}},
		{name: "unknown key in ui-topology", src: doc("", "ui-topology: {colour: red} #<", ""), path: "chains.eth.ui-topology.colour", msg: []string{"unknown key"}},
		{name: "unknown key in provider", src: doc("", "", "weight: 3 #<"), path: "chains.eth.providers[0].weight", msg: []string{`unknown key "weight"`, "ws_url"}},
		{name: "unknown key in capabilities", src: doc("", "", "capabilities:\n  methods: [] #<"),
			path: "chains.eth.providers[0].capabilities.methods", msg: []string{"unknown key", "unsupported_methods"}},
		{name: "unknown key in limits", src: doc("", "", "capabilities:\n  limits:\n    max_range: 1 #<"),
			path: "chains.eth.providers[0].capabilities.limits.max_range", msg: []string{"unknown key", "max_block_range"}},
		{name: "unknown key in error rule", src: doc("", "", "capabilities:\n  error_rules:\n    - {code: 1, category: rate_limit, when: x} #<"),
			path: "chains.eth.providers[0].capabilities.error_rules[0].when", msg: []string{"unknown key", "message_contains"}},

		// Wrong types.
		{name: "string for int", src: doc("rps_limit: lots #<", "", ""), path: "rps_limit", msg: []string{`must be an integer, got "lots"`}},
		{name: "quoted number for int", src: chainsSrc("  eth:\n    chain_id: \"1\" #<\n    providers: [{id: a, url: \"https://a.example\"}]\n"),
			path: "chains.eth.chain_id", msg: []string{"must be an integer"}},
		{name: "float for int", src: doc("", "block_time_ms: 2.5 #<", ""), path: "chains.eth.block_time_ms", msg: []string{`must be an integer, got "2.5"`}},
		{name: "list for int", src: doc("", "", "priority: [1] #<"), path: "chains.eth.providers[0].priority", msg: []string{`must be an integer, got "seq"`}},
		{name: "int for bool", src: doc("unlisted: 1 #<", "", ""), path: "unlisted", msg: []string{`must be true or false, got "1"`}},
		{name: "string for bool", src: doc("", "", "archival: \"false\" #<"), path: "chains.eth.providers[0].archival", msg: []string{"must be true or false"}},
		{name: "scalar for list", src: doc("", "url_aliases: eth2 #<", ""), path: "chains.eth.url_aliases", msg: []string{"must be a list"}},
		{name: "scalar for category list", src: doc("", "", "capabilities: {unsupported_categories: debug} #<"),
			path: "chains.eth.providers[0].capabilities.unsupported_categories", msg: []string{"must be a list"}},
		{name: "list for string", src: strings.Replace(doc("", "", ""), "url: https://a.example", "url: [https://a.example] #<", 1), path: "chains.eth.providers[0].url", msg: []string{"must be a string"}},
		{name: "scalar for mapping", src: doc("", "monitoring: 5 #<", ""), path: "chains.eth.monitoring", msg: []string{"must be a mapping"}},
		{name: "list for headers", src: doc("", "", "headers: [x] #<"), path: "chains.eth.providers[0].headers", msg: []string{"must be a mapping"}},
		{name: "list as header value", src: doc("", "", "headers: {X-A: [x]} #<"), path: "chains.eth.providers[0].headers.X-A", msg: []string{"must be a string"}},
		{name: "number for message_contains", src: doc("", "", "capabilities: {error_rules: [{message_contains: 5, category: rate_limit}]} #<"),
			path: "chains.eth.providers[0].capabilities.error_rules[0].message_contains", msg: []string{"must be a string or a list of strings"}},
		{name: "chains is a list", src: "---\nname: T\nslug: t\n---\nchains:\n  - eth #<\n", path: "chains", msg: []string{"must be a mapping"}},
		{name: "invalid YAML", src: doc("", "", "") + "  bad: [ #<\n", path: "", msg: []string{"invalid YAML"}},

		// Frontmatter.
		{name: "slug missing", src: "---\nname: T\n---\n" + "chains:\n" + ethChain, path: "slug", msg: []string{"is required", `"t"`}},
		{name: "slug is not the file name", src: strings.Replace(doc("", "", ""), "slug: t", "slug: other #<", 1),
			path: "slug", msg: []string{`"other" must equal the file name "t"`}},
		{name: "slug not lower-case", file: "dir/Upper.yml", src: strings.Replace(doc("", "", ""), "slug: t", "slug: Upper #<", 1),
			path: "slug", msg: []string{"lower-case"}},
		{name: "slug reserved", file: "dir/default.yml", src: strings.Replace(doc("", "", ""), "slug: t", "slug: default #<", 1),
			path: "slug", msg: []string{`"default" is reserved`}},
		{name: "name missing", src: strings.Replace(doc("", "", ""), "name: T\n", "", 1), path: "name", msg: []string{"is required"}},
		{name: "name empty", src: strings.Replace(doc("", "", ""), "name: T", `name: "" #<`, 1), path: "name", msg: []string{"is required"}},
		{name: "rps_limit zero", src: doc("rps_limit: 0 #<", "", ""), path: "rps_limit", msg: []string{"greater than 0, got 0"}},
		{name: "burst_limit negative", src: doc("burst_limit: -1 #<", "", ""), path: "burst_limit", msg: []string{"greater than 0, got -1"}},
		{name: "default_burst_limit negative", src: doc("default_burst_limit: -1 #<", "", ""), path: "default_burst_limit", msg: []string{"greater than 0, got -1"}},
		{name: "rps_limit twice", src: doc("rps_limit: 5\ndefault_rps_limit: 5 #<", "", ""), path: "default_rps_limit", msg: []string{"not both"}},
		{name: "burst_limit twice", src: doc("default_burst_limit: 5 #<\nburst_limit: 5", "", ""), path: "default_burst_limit", msg: []string{"not both"}},

		// Chains.
		{name: "no chains key", src: "---\nname: T\nslug: t\n---\n", path: "chains", msg: []string{"at least one chain"}},
		{name: "empty chains", src: "---\nname: T\nslug: t\n---\nchains: {} #<\n", path: "chains", msg: []string{"at least one chain"}},
		{name: "chain key not a slug", src: chainsSrc("  Eth:\n    chain_id: 1 #<\n    providers: [{id: a, url: \"https://a.example\"}]\n"),
			path: "chains.Eth", msg: []string{`chain key "Eth"`}},
		{name: "chain_id missing", src: chainsSrc("  eth:\n    providers: [{id: a, url: \"https://a.example\"}]\n"), path: "chains.eth.chain_id", msg: []string{"is required"}},
		{name: "chain_id zero", src: strings.Replace(doc("", "", ""), "chain_id: 1", "chain_id: 0 #<", 1), path: "chains.eth.chain_id", msg: []string{"positive integer, got 0"}},
		{name: "duplicate chain_id", src: chainsSrc(ethChain + "  base:\n    chain_id: 1 #<\n    providers: [{id: a, url: \"https://a.example\"}]\n"),
			path: "chains.base.chain_id", msg: []string{`1 is also the chain id of "eth"`}},
		{name: "duplicate alias across chains", src: chainsSrc(strings.Replace(ethChain, "chain_id: 1", "chain_id: 1\n    url_aliases: [x]", 1) +
			"  base:\n    chain_id: 8453\n    url_aliases: [y, x] #<\n    providers: [{id: a, url: \"https://a.example\"}]\n"),
			path: "chains.base.url_aliases[1]", msg: []string{`"x" is already a key or alias of chain "eth"`}},
		{name: "duplicate alias in one chain", src: doc("", "aliases: [x, x] #<", ""), path: "chains.eth.aliases[1]", msg: []string{`"x" is already`}},
		{name: "alias equal to own key", src: doc("", "aliases: [eth] #<", ""), path: "chains.eth.aliases[0]", msg: []string{`"eth" is already a key or alias of chain "eth"`}},
		{name: "alias equal to another key", src: chainsSrc(ethChain + "  base:\n    chain_id: 8453\n    url_aliases: [eth] #<\n    providers: [{id: a, url: \"https://a.example\"}]\n"),
			path: "chains.base.url_aliases[0]", msg: []string{`"eth" is already a key or alias of chain "eth"`}},
		{name: "key equal to an earlier alias", src: chainsSrc(strings.Replace(ethChain, "chain_id: 1", "chain_id: 1\n    url_aliases: [base]", 1) +
			"  base:\n    chain_id: 8453 #<\n    providers: [{id: a, url: \"https://a.example\"}]\n"),
			path: "chains.base", msg: []string{`"base" is already a key or alias of chain "eth"`}},
		{name: "decimal alias shadows another chain id", src: chainsSrc(strings.Replace(ethChain, "chain_id: 1", "chain_id: 1\n    url_aliases: [\"8453\"] #<", 1) +
			"  base:\n    chain_id: 8453\n    providers: [{id: a, url: \"https://a.example\"}]\n"),
			path: "chains.eth.url_aliases[0]", msg: []string{`decimal alias "8453" would shadow chain id 8453`}},
		{name: "empty alias", src: doc("", "url_aliases: [\"\"] #<", ""), path: "chains.eth.url_aliases[0]", msg: []string{"must not be empty"}},
		{name: "aliases and url_aliases", src: doc("", "url_aliases: [x]\naliases: [y] #<", ""), path: "chains.eth.aliases", msg: []string{"not both"}},
		{name: "block_time_ms zero", src: doc("", "block_time_ms: 0 #<", ""), path: "chains.eth.block_time_ms", msg: []string{"between 1 and"}},
		{name: "probe interval too short", src: doc("", "monitoring: {probe_interval_ms: 99} #<", ""),
			path: "chains.eth.monitoring.probe_interval_ms", msg: []string{"between 100 and 3600000, got 99"}},
		{name: "lag alert negative", src: doc("", "monitoring: {lag_alert_threshold_blocks: -1} #<", ""),
			path: "chains.eth.monitoring.lag_alert_threshold_blocks", msg: []string{"0 or more, got -1"}},
		{name: "max_lag_blocks negative", src: doc("", "selection: {max_lag_blocks: -1} #<", ""), path: "chains.eth.selection.max_lag_blocks", msg: []string{"0 or more"}},
		{name: "archival_threshold negative", src: doc("", "selection: {archival_threshold: -1} #<", ""), path: "chains.eth.selection.archival_threshold", msg: []string{"0 or more"}},
		{name: "new_heads_timeout_ms too low", src: doc("", "websocket: {new_heads_timeout_ms: 4999} #<", ""),
			path: "chains.eth.websocket.new_heads_timeout_ms", msg: []string{"between 5000 and 120000, got 4999"}},
		{name: "new_heads_timeout_ms too high", src: doc("", "websocket: {new_heads_timeout_ms: 120001} #<", ""),
			path: "chains.eth.websocket.new_heads_timeout_ms", msg: []string{"got 120001"}},
		{name: "max_backfill_blocks zero", src: doc("", "websocket:\n  failover: {max_backfill_blocks: 0} #<", ""),
			path: "chains.eth.websocket.failover.max_backfill_blocks", msg: []string{"between 1 and 10000, got 0"}},
		{name: "max_backfill_blocks too high", src: doc("", "websocket:\n  failover: {max_backfill_blocks: 10001} #<", ""),
			path: "chains.eth.websocket.failover.max_backfill_blocks", msg: []string{"got 10001"}},
		{name: "backfill_timeout_ms too high", src: doc("", "websocket:\n  failover: {backfill_timeout_ms: 300001} #<", ""),
			path: "chains.eth.websocket.failover.backfill_timeout_ms", msg: []string{"between 5000 and 300000, got 300001"}},
		{name: "subscribe_new_heads in both homes", src: doc("", "monitoring: {subscribe_new_heads: true} #<\nwebsocket: {subscribe_new_heads: true}", ""),
			path: "chains.eth.monitoring.subscribe_new_heads", msg: []string{"keep one"}},
		{name: "staleness threshold in both homes", src: doc("", "monitoring: {new_heads_staleness_threshold_ms: 6000} #<\nwebsocket: {new_heads_timeout_ms: 6000}", ""),
			path: "chains.eth.monitoring.new_heads_staleness_threshold_ms", msg: []string{"keep one"}},
		{name: "failover in both homes", src: doc("", "websocket: {failover: {max_backfill_blocks: 5}}\nfailover: {max_backfill_blocks: 5} #<", ""),
			path: "chains.eth.failover", msg: []string{"keep one"}},
		{name: "lag threshold under both names", src: doc("", "monitoring:\n  lag_alert_threshold_blocks: 2\n  lag_threshold_blocks: 2 #<", ""),
			path: "chains.eth.monitoring.lag_threshold_blocks", msg: []string{"not both"}},
		{name: "backfill timeout under both names", src: doc("", "websocket:\n  failover:\n    backfill_timeout_ms: 6000\n    backfill_timeout: 6000 #<", ""),
			path: "chains.eth.websocket.failover.backfill_timeout", msg: []string{"not both"}},
		{name: "legacy lag name out of range", src: doc("", "monitoring: {lag_threshold_blocks: -1} #<", ""),
			path: "chains.eth.monitoring.lag_threshold_blocks", msg: []string{"0 or more"}},
		{name: "legacy staleness threshold out of range", src: doc("", "monitoring: {new_heads_staleness_threshold_ms: 1} #<", ""),
			path: "chains.eth.monitoring.new_heads_staleness_threshold_ms", msg: []string{"between 5000 and 120000"}},
		{name: "legacy failover out of range", src: doc("", "failover: {backfill_timeout_ms: 1} #<", ""),
			path: "chains.eth.failover.backfill_timeout_ms", msg: []string{"between 5000 and 300000"}},
		{name: "block_time_ms overflowing a duration", src: doc("", "block_time_ms: 4611686018427387904 #<", ""), path: "chains.eth.block_time_ms"},
		{name: "new_heads_timeout_ms overflowing a duration", src: doc("", "websocket: {new_heads_timeout_ms: 288230376151753744} #<", ""),
			path: "chains.eth.websocket.new_heads_timeout_ms", msg: []string{"between 5000 and 120000"}},
		{name: "backfill_timeout_ms overflowing a duration", src: doc("", "websocket: {failover: {backfill_timeout_ms: 288230376151741744}} #<", ""),
			path: "chains.eth.websocket.failover.backfill_timeout_ms", msg: []string{"between 5000 and 300000"}},
		{name: "ui-topology size", src: doc("", "ui-topology:\n  size: huge #<", ""), path: "chains.eth.ui-topology.size", msg: []string{`sm, md, lg, xl, got "huge"`}},
		{name: "empty providers", src: chainsSrc("  eth:\n    chain_id: 1\n    providers: [] #<\n"), path: "chains.eth.providers", msg: []string{"at least one provider"}},
		{name: "providers missing", src: chainsSrc("  eth:\n    chain_id: 1\n"), path: "chains.eth.providers", msg: []string{"at least one provider"}},

		// Providers.
		{name: "provider without id", src: chainsSrc("  eth:\n    chain_id: 1\n    providers:\n      - url: https://a.example\n"),
			path: "chains.eth.providers[0].id", msg: []string{"is required"}},
		{name: "provider id with a space", src: strings.Replace(doc("", "", ""), "id: a", `id: "a b" #<`, 1), path: "chains.eth.providers[0].id", msg: []string{`"a b" must be letters`}},
		{name: "duplicate provider id", src: doc("", "", "") + "      - id: a #<\n        url: https://b.example\n",
			path: "chains.eth.providers[1].id", msg: []string{`provider "a" appears twice in chain "eth"`}},
		{name: "provider without url", src: chainsSrc("  eth:\n    chain_id: 1\n    providers:\n      - id: a #<\n        name: A\n"),
			path: "chains.eth.providers[0]", msg: []string{"needs url, ws_url or both"}},
		{name: "ws scheme in url", src: strings.Replace(doc("", "", ""), "url: https://a.example", "url: ws://a.example #<", 1),
			path: "chains.eth.providers[0].url", msg: []string{`absolute http or https URL, got "ws://a.example"`}},
		{name: "http scheme in ws_url", src: doc("", "", "ws_url: http://a.example/ws #<"),
			path: "chains.eth.providers[0].ws_url", msg: []string{`absolute ws or wss URL, got "http://a.example/<redacted>"`}},
		{name: "url without host", src: strings.Replace(doc("", "", ""), "url: https://a.example", "url: https:///rpc #<", 1),
			path: "chains.eth.providers[0].url", msg: []string{"absolute http or https URL"}},
		{name: "relative url", src: strings.Replace(doc("", "", ""), "url: https://a.example", "url: a.example/rpc #<", 1),
			path: "chains.eth.providers[0].url", msg: []string{`got "<redacted>"`}},
		{name: "sharing_mode invalid", src: doc("", "", "sharing_mode: shared #<"), path: "chains.eth.providers[0].sharing_mode", msg: []string{`auto or isolated, got "shared"`}},
		{name: "unknown unsupported category", src: doc("", "", "capabilities:\n  unsupported_categories: [debug, tracing] #<"),
			path: "chains.eth.providers[0].capabilities.unsupported_categories[1]", msg: []string{`unknown category "tracing"`, "local_only"}},
		{name: "unknown is not a category", src: doc("", "", "capabilities:\n  unsupported_categories: [unknown] #<"),
			path: "chains.eth.providers[0].capabilities.unsupported_categories[0]", msg: []string{`unknown category "unknown"`}},
		{name: "empty unsupported method", src: doc("", "", "capabilities:\n  unsupported_methods: [eth_call, \"\"] #<"),
			path: "chains.eth.providers[0].capabilities.unsupported_methods[1]", msg: []string{"must not be empty"}},
		{name: "error rule without matcher", src: doc("", "", "capabilities:\n  error_rules:\n    - category: rate_limit #<"),
			path: "chains.eth.providers[0].capabilities.error_rules[0]", msg: []string{"needs code, message_contains or both"}},
		{name: "error rule with unknown category", src: doc("", "", "capabilities:\n  error_rules:\n    - code: 429\n      category: throttled #<"),
			path: "chains.eth.providers[0].capabilities.error_rules[0].category", msg: []string{`unknown category "throttled"`, "rate_limit"}},
		{name: "error rule without category", src: doc("", "", "capabilities:\n  error_rules:\n    - code: 429"),
			path: "chains.eth.providers[0].capabilities.error_rules[0].category", msg: []string{`unknown category ""`}},
		{name: "error rule with empty message", src: doc("", "", "capabilities:\n  error_rules:\n    - {message_contains: [a, \"\"], category: rate_limit} #<"),
			path: "chains.eth.providers[0].capabilities.error_rules[0].message_contains[1]", msg: []string{"must not be empty"}},
		{name: "block_age_methods without max_block_age", src: doc("", "", "capabilities:\n  limits:\n    max_block_range: 10\n    block_age_methods: [eth_call] #<"),
			path: "chains.eth.providers[0].capabilities.limits.block_age_methods", msg: []string{"needs limits.max_block_age"}},
		{name: "max_block_range negative", src: doc("", "", "capabilities: {limits: {max_block_range: -1}} #<"),
			path: "chains.eth.providers[0].capabilities.limits.max_block_range", msg: []string{"0 or more"}},
		{name: "max_block_age negative", src: doc("", "", "capabilities: {limits: {max_block_age: -2}} #<"),
			path: "chains.eth.providers[0].capabilities.limits.max_block_age", msg: []string{"0 or more, got -2"}},
		{name: "invalid header name", src: doc("", "", "headers: {\"Bad Name\": x} #<"),
			path: "chains.eth.providers[0].headers.Bad Name", msg: []string{`"Bad Name" is not a valid header name`}},
		{name: "header value from env on two lines", src: doc("", "", "headers: {X-Key: \"${H}\"} #<"), env: map[string]string{"H": "line1\nline2"},
			path: "chains.eth.providers[0].headers.X-Key", msg: []string{"must be one line"}},

		// Environment variables.
		{name: "unterminated ${", src: strings.Replace(doc("", "", ""), "url: https://a.example", "url: https://a.example/${KEY #<", 1),
			path: "chains.eth.providers[0].url", msg: []string{"unterminated ${", "(profile t, chain eth, provider a)"}},
		{name: "unresolved url variable", src: strings.Replace(doc("", "", ""), "url: https://a.example", "url: https://a.example/v2/${KEY} #<", 1),
			path: "chains.eth.providers[0].url", msg: []string{"unresolved ${KEY} in url (profile t, chain eth, provider a)", "set the environment variable"}},
		{name: "several unresolved variables", src: doc("", "", "ws_url: wss://${HOST}/${KEY} #<"), env: map[string]string{"HOST": "a.example"},
			path: "chains.eth.providers[0].ws_url", msg: []string{"unresolved ${KEY} in ws_url"}},
		{name: "unresolved api_key", src: doc("", "", "api_key: ${TOKEN} #<"), path: "chains.eth.providers[0].api_key",
			msg: []string{"unresolved ${TOKEN} in api_key (profile t, chain eth, provider a)"}},
		{name: "unresolved header value", src: doc("", "", "headers:\n  X-Key: ${HDR} #<"), path: "chains.eth.providers[0].headers.X-Key",
			msg: []string{"unresolved ${HDR} in header X-Key (profile t, chain eth, provider a)"}},
		{name: "unresolved auth header value", src: doc("", "", "auth_headers:\n  X-Key: Token ${HDR} #<"), path: "chains.eth.providers[0].auth_headers.X-Key",
			msg: []string{"unresolved ${HDR} in header X-Key"}},
		{name: "invalid variable name", src: doc("", "", "api_key: ${1KEY} #<"), env: map[string]string{"1KEY": "value-of-1key"},
			path: "chains.eth.providers[0].api_key", msg: []string{"unresolved ${1KEY}"}},
		{name: "long value cut in message", src: doc("rps_limit: "+strings.Repeat("x", 50)+" #<", "", ""), path: "rps_limit",
			msg: []string{`got "` + strings.Repeat("x", 40) + `..."`}},
		{name: "number in message_contains list", src: doc("", "", "capabilities: {error_rules: [{message_contains: [a, 1], category: rate_limit}]} #<"),
			path: "chains.eth.providers[0].capabilities.error_rules[0].message_contains", msg: []string{"must be a string or a list of strings"}},
		{name: "empty header name", src: doc("", "", "headers: {\"\": x} #<"), path: "chains.eth.providers[0].headers.", msg: []string{`"" is not a valid header name`}},
		{name: "non-ASCII header name", src: doc("", "", "headers: {X-Clé: x} #<"), path: "chains.eth.providers[0].headers.X-Clé", msg: []string{"not a valid header name"}},
		{name: "variable name with a dash", src: doc("", "", "api_key: ${A-B} #<"), env: map[string]string{"A-B": "value-of-a-b"},
			path: "chains.eth.providers[0].api_key", msg: []string{"unresolved ${A-B}"}},
		{name: "frontmatter closing at end of file", src: "---\nname: T\nslug: t\n---", path: "chains", msg: []string{"at least one chain"}},
		{name: "file name without directory", file: "t.yml", src: doc("colour: red #<", "", ""), path: "colour", msg: []string{"unknown key"}},
		{name: "chain without body", src: chainsSrc("  eth:\n"), path: "chains.eth.chain_id", msg: []string{"is required"}},
		{name: "empty variable name", src: doc("", "", "api_key: x${} #<"), path: "chains.eth.providers[0].api_key", msg: []string{"unresolved ${}"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			file := tt.file
			if file == "" {
				file = "dir/t.yml"
			}
			_, ps := load(t, file, tt.src, envLookup(tt.env))
			if ps == nil {
				t.Fatalf("Load: got no problems, want one at %q", tt.path)
			}
			line := lineOf(t, tt.src)
			wantProblem(t, ps, file, tt.path, line, tt.msg...)
		})
	}
}

// annotated returns the problems a source announces: each line ending in
// "#! <path>" expects a problem at that path on that line.
func annotated(src string) map[string]int {
	want := map[string]int{}
	for i, l := range strings.Split(src, "\n") {
		if _, p, ok := strings.Cut(l, "#! "); ok {
			want[strings.TrimSpace(p)] = i + 1
		}
	}
	return want
}

// TestEveryProblemAtOnce checks that one Load reports every problem of every
// file: frontmatter, several chains, providers, capabilities.
func TestEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"dir/t.yml": `---
name: T
slug: t
colour: red #! colour
rps_limit: 0 #! rps_limit
---
chains:
  eth:
    chain_id: 1
    monitoring: {probe_interval_ms: 1} #! chains.eth.monitoring.probe_interval_ms
    providers:
      - id: a
        url: ws://a.example #! chains.eth.providers[0].url
      - id: a #! chains.eth.providers[1].id
        url: https://b.example
        sharing_mode: nope #! chains.eth.providers[1].sharing_mode
  base:
    chain_id: 1 #! chains.base.chain_id
    colour: blue #! chains.base.colour
    providers:
      - name: no id #! chains.base.providers[0]
        capabilities:
          unsupported_categories: [bogus] #! chains.base.providers[0].capabilities.unsupported_categories[0]
  op:
    chain_id: 10
    providers: [] #! chains.op.providers
`,
		"dir/u.yml": `---
slug: x #! slug
---
chains:
  eth:
    chain_id: 1
    providers:
      - id: a
        url: https://a.example/${MISSING} #! chains.eth.providers[0].url
`,
	}
	type key struct {
		file, path string
		line       int
	}
	want := map[key]bool{
		{"dir/t.yml", "chains.base.providers[0].id", 0}: true,
		{"dir/u.yml", "name", 0}:                        true,
	}
	for file, src := range files {
		for path, line := range annotated(src) {
			want[key{file, path, line}] = true
		}
	}
	_, ps := loadFiles(t, files, nolookup)
	got := map[key]bool{}
	for _, p := range ps {
		k := key{p.File, p.Path, p.Line}
		if got[k] {
			t.Errorf("problem %v: got it twice, want it once", k)
		}
		got[k] = true
		if !want[k] {
			t.Errorf("problem %s: got it, want no such problem", p)
		}
	}
	for k := range want {
		if !got[k] {
			t.Errorf("problem %v: got none, want one", k)
		}
	}
	if len(ps) != len(want) {
		t.Errorf("problems: got %d, want %d", len(ps), len(want))
	}
}

// TestNoFollowOnProblems checks that one mistake yields one problem: a
// mistyped or malformed value must not also be reported as missing.
func TestNoFollowOnProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src, path string
	}{
		{name: "mistyped slug", src: strings.Replace(doc("", "", ""), "slug: t", "slug: [t]", 1), path: "slug"},
		{name: "mistyped name", src: strings.Replace(doc("", "", ""), "name: T", "name: {a: b}", 1), path: "name"},
		{name: "mistyped rps_limit", src: doc("rps_limit: x", "", ""), path: "rps_limit"},
		{name: "mistyped chains", src: "---\nname: T\nslug: t\n---\nchains: [eth]\n", path: "chains"},
		{name: "mistyped chain_id", src: strings.Replace(doc("", "", ""), "chain_id: 1", "chain_id: abc", 1), path: "chains.eth.chain_id"},
		{name: "mistyped provider id", src: strings.Replace(doc("", "", ""), "id: a", "id: [a]", 1), path: "chains.eth.providers[0].id"},
		{name: "mistyped providers", src: chainsSrc("  eth:\n    chain_id: 1\n    providers: {id: a}\n"), path: "chains.eth.providers"},
		{name: "mistyped url", src: strings.Replace(doc("", "", ""), "url: https://a.example", "url: [https://a.example]", 1), path: "chains.eth.providers[0].url"},
		{name: "duplicate key in frontmatter", src: doc("name: U", "", ""), path: "name"},
		{name: "duplicate key in chain", src: doc("", "chain_id: 2", ""), path: "chains.eth.chain_id"},
		{name: "invalid YAML in body", src: doc("", "", "") + "  bad: [\n", path: ""},
		{name: "invalid YAML in frontmatter", src: doc("x: [", "", ""), path: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, ps := load(t, "dir/t.yml", tt.src, nolookup)
			if at := find(ps, tt.path); len(at) != 1 {
				t.Errorf("problems at %q: got %d\n%v\nwant 1", tt.path, len(at), ps)
			}
			if len(ps) != 1 {
				t.Errorf("problems: got %d\n%v\nwant 1", len(ps), ps)
			}
		})
	}
}

func TestProblemString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    profile.Problem
		want string
	}{
		{"full", profile.Problem{File: "d/t.yml", Path: "chains.eth", Line: 7, Msg: "bad"}, "d/t.yml:7: chains.eth: bad"},
		{"no line", profile.Problem{File: "d/t.yml", Path: "slug", Msg: "is required"}, "d/t.yml: slug: is required"},
		{"no path", profile.Problem{File: "d/t.yml", Line: 3, Msg: "invalid YAML"}, "d/t.yml:3: invalid YAML"},
		{"file only", profile.Problem{File: "d", Msg: "no profile files (*.yml)"}, "d: no profile files (*.yml)"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestProblemsError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src string
	}{
		{name: "several problems", src: doc("colour: red\nrps_limit: 0", "block_time_ms: 0", "sharing_mode: x\napi_key: ${K}")},
		{name: "one problem", src: doc("colour: red", "", "")},
		{name: "mistyped chain field", src: doc("", "block_time_ms: x", "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, ps := load(t, "dir/t.yml", tt.src, nolookup)
			lines := strings.Split(ps.Error(), "\n")
			if want := fmt.Sprintf("%d profile problem(s):", len(ps)); lines[0] != want {
				t.Errorf("first line: got %q, want %q", lines[0], want)
			}
			if len(lines) != len(ps)+1 {
				t.Fatalf("Error(): got %d lines\n%s\nwant %d (a header and one per problem)", len(lines), ps.Error(), len(ps)+1)
			}
			for i, p := range ps {
				want := fmt.Sprintf("  dir/t.yml:%d: %s: %s", p.Line, p.Path, p.Msg)
				if p.Line == 0 {
					want = fmt.Sprintf("  dir/t.yml: %s: %s", p.Path, p.Msg)
				}
				if lines[i+1] != want {
					t.Errorf("line %d: got %q, want %q", i+1, lines[i+1], want)
				}
			}
			var paths []string
			for _, p := range ps {
				paths = append(paths, p.Path)
			}
			if tt.name == "several problems" {
				for _, want := range []string{"colour", "rps_limit", "chains.eth.block_time_ms", "chains.eth.providers[0].sharing_mode", "chains.eth.providers[0].api_key"} {
					if !slices.Contains(paths, want) {
						t.Errorf("Error(): got paths %v, want %q among them", paths, want)
					}
				}
			}
		})
	}
}

func TestDuplicateSlugAcrossDirectories(t *testing.T) {
	t.Parallel()
	_, ps := loadFiles(t, map[string]string{"a/t.yml": doc("", "", ""), "b/t.yml": doc("", "", "")}, nolookup)
	if len(ps) != 1 {
		t.Fatalf("problems: got %d\n%v\nwant 1", len(ps), ps)
	}
	wantProblem(t, ps, "b/t.yml", "slug", -1, `slug "t" is also used by a/t.yml`)
	if ps[0].Line != 3 {
		t.Errorf("Line: got %d, want 3 (the slug line)", ps[0].Line)
	}
}

// TestSameMistakeInTwoChains checks that a mistake repeated in two chains is
// reported for each chain.
func TestSameMistakeInTwoChains(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, lines, field string
	}{
		{name: "unknown key", lines: "colour: red", field: "colour"},
		{name: "probe interval", lines: "monitoring: {probe_interval_ms: 1}", field: "monitoring.probe_interval_ms"},
		{name: "failover in both homes", lines: "failover: {max_backfill_blocks: 5}\nwebsocket: {failover: {max_backfill_blocks: 5}}", field: "failover"},
		{name: "lag threshold under both names", lines: "monitoring: {lag_threshold_blocks: 1, lag_alert_threshold_blocks: 1}", field: "monitoring.lag_threshold_blocks"},
		{name: "backfill timeout under both names", lines: "websocket: {failover: {backfill_timeout: 6000, backfill_timeout_ms: 6000}}", field: "websocket.failover.backfill_timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			chain := func(key string, id int) string {
				return fmt.Sprintf("  %s:\n    chain_id: %d\n%s    providers: [{id: a, url: \"https://a.example\"}]\n", key, id, indent(tt.lines, 4))
			}
			_, ps := load(t, "dir/t.yml", chainsSrc(chain("eth", 1)+chain("base", 8453)), nolookup)
			if len(ps) != 2 {
				t.Fatalf("problems: got %d\n%v\nwant 2", len(ps), ps)
			}
			for _, key := range []string{"eth", "base"} {
				wantProblem(t, ps, "dir/t.yml", "chains."+key+"."+tt.field, -1)
			}
		})
	}
}
