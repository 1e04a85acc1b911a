package app_test

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/lasso-serverless/lasso/shared/rpcclient/providertest"
)

// Scenario 29: routing metadata (reference 1.5), in headers or in the body.
func TestScenario29Meta(t *testing.T) {
	t.Parallel()
	newMetaRig := func(t *testing.T) *rig {
		return newRig(t, nil,
			testProvider{id: "a", priority: 1, behave: serverDown,
				extra: "        capabilities: {unsupported_methods: [eth_call]}\n"},
			testProvider{id: "b", priority: 2, behave: ok(`"0xb"`)})
	}

	t.Run("headers", func(t *testing.T) {
		t.Parallel()
		r := newMetaRig(t)
		got := r.post("/rpc/ethereum?include_meta=headers", blockNumber)
		if string(got.body) != `{"jsonrpc":"2.0","id":1,"result":"0xb"}` {
			t.Errorf("body %s: headers mode must leave the body alone", got.body)
		}
		reqID := got.header.Get("X-Lasso-Request-Id")
		if reqID == "" || reqID != got.header.Get("X-Request-Id") {
			t.Errorf("x-lasso-request-id %q, want the request id %q", reqID, got.header.Get("X-Request-Id"))
		}
		enc := got.header.Get("X-Lasso-Meta")
		if strings.ContainsAny(enc, "=+/") {
			t.Errorf("x-lasso-meta %q: want base64url without padding", enc)
		}
		raw, err := base64.RawURLEncoding.DecodeString(enc)
		if err != nil {
			t.Fatalf("x-lasso-meta %q: %v", enc, err)
		}
		if !bytes.Contains(raw, []byte(`"chain_id":1,`)) {
			t.Errorf("meta %s: chain_id must be the integer 1", raw)
		}
		m := got.headerMeta(t)
		sel, _ := m["selected_provider"].(map[string]any)
		for k, want := range map[string]any{
			"version": "1.0", "request_id": reqID, "strategy": "priority", "chain_id": 1.0,
			"transport": "http", "retries": 1.0, "circuit_breaker_state": "closed",
		} {
			if m[k] != want {
				t.Errorf("meta %s = %v, want %v", k, m[k], want)
			}
		}
		if sel["id"] != "b" || sel["protocol"] != "http" {
			t.Errorf("selected_provider %v, want {id: b, protocol: http}", m["selected_provider"])
		}
		if c := candidates(m); !sameStrings(c, []string{"a:http", "b:http"}) {
			t.Errorf("candidate_providers %v, want [a:http b:http]", c)
		}
		for _, k := range []string{"selection_latency_ms", "upstream_latency_ms", "end_to_end_latency_ms", "lasso_overhead_ms"} {
			if v, isNum := m[k].(float64); !isNum || v < 0 {
				t.Errorf("meta %s = %v, want a number ≥ 0", k, m[k])
			}
		}
	})

	t.Run("body, success and error", func(t *testing.T) {
		t.Parallel()
		r := newMetaRig(t)
		got := r.post("/rpc/ethereum?include_meta=body", blockNumber)
		if !strings.HasPrefix(string(got.body), `{"jsonrpc":"2.0","id":1,"result":"0xb","lasso_meta":{`) {
			t.Errorf("body %s: want the answer, then lasso_meta", got.body)
		}
		if got.header.Get("X-Lasso-Meta") != "" {
			t.Error("body mode sent x-lasso-meta too")
		}
		m := got.lassoMeta(t)
		if m["version"] != "1.0" || selectedID(m) != "b" || m["chain_id"] != 1.0 || m["strategy"] != "priority" || m["request_id"] != got.header.Get("X-Request-Id") {
			t.Errorf("lasso_meta %v", m)
		}

		r.provider["b"].SetBehaviour(serverDown)
		got = r.post("/rpc/ethereum?include_meta=body", blockNumber)
		if code, _ := got.errorOf(t); code != -32002 {
			t.Errorf("both failing: code %d, want -32002", code)
		}
		if m := got.lassoMeta(t); m["retries"] != 1.0 || !sameStrings(candidates(m), []string{"a:http", "b:http"}) {
			t.Errorf("error lasso_meta %v, want retries 1 over both candidates", m)
		}
		r.provider["b"].SetBehaviour(providertest.RPCError(3, "execution reverted", revertData))
		got = r.post("/rpc/ethereum?include_meta=body", call("eth_call", `[{},"latest"]`))
		if e := got.rpcErr(t); e["code"] != 3.0 {
			t.Errorf("revert: %s", got.body)
		}
		if m := got.lassoMeta(t); selectedID(m) != "b" {
			t.Errorf("revert lasso_meta %v, want b selected", m)
		}
	})

	t.Run("header opt-in and precedence", func(t *testing.T) {
		t.Parallel()
		r := newMetaRig(t)
		for _, tt := range []struct {
			name, query, header  string
			wantHeader, wantBody bool
		}{
			{"header: headers", "", "headers", true, false},
			{"header: body", "", "body", false, true},
			{"query headers wins over header body", "?include_meta=headers", "body", true, false},
			{"query body wins over header headers", "?include_meta=body", "headers", false, true},
			{"query none wins over header body", "?include_meta=none", "body", false, false},
			{"header none", "", "none", false, false},
			{"nothing asked", "", "", false, false},
		} {
			var hd []string
			if tt.header != "" {
				hd = []string{"X-Lasso-Include-Meta", tt.header}
			}
			got := r.post("/rpc/ethereum"+tt.query, blockNumber, hd...)
			_, inBody := got.object(t)["lasso_meta"]
			inHeader := got.header.Get("X-Lasso-Meta") != ""
			if inHeader != tt.wantHeader || inBody != tt.wantBody {
				t.Errorf("%s: x-lasso-meta %v, lasso_meta %v; want %v, %v", tt.name, inHeader, inBody, tt.wantHeader, tt.wantBody)
			}
			if tt.wantHeader && got.header.Get("X-Lasso-Request-Id") == "" {
				t.Errorf("%s: no x-lasso-request-id", tt.name)
			}
		}
	})

	t.Run("batches", func(t *testing.T) {
		t.Parallel()
		r := newMetaRig(t)
		r.provider["a"].SetBehaviour(ok(`"0xa"`))
		ethCall := `{"jsonrpc":"2.0","id":"c","method":"eth_call","params":[{},"latest"]}` // a does not serve it: b
		bn := `{"jsonrpc":"2.0","id":"n","method":"eth_blockNumber"}`                      // a
		for _, tt := range []struct {
			body, want string
		}{
			{"[" + ethCall + "," + bn + "]", "b"},
			{"[" + bn + "," + ethCall + "]", "a"},
			{`[{},` + bn + "," + ethCall + "]", "a"}, // an invalid member is no call
		} {
			got := r.post("/rpc/ethereum?include_meta=headers", tt.body)
			if m := got.headerMeta(t); selectedID(m) != tt.want {
				t.Errorf("%s: x-lasso-meta selected %q, want the first call's %s", tt.body, selectedID(m), tt.want)
			}
			got = r.post("/rpc/ethereum?include_meta=body", tt.body)
			if bytes.Contains(got.body, []byte("lasso_meta")) || got.header.Get("X-Lasso-Meta") != "" {
				t.Errorf("%s: body mode applied to a batch: %s", tt.body, got.body)
			}
		}
		got := r.post("/rpc/ethereum?include_meta=body", "["+bn+"]")
		if string(got.body) != `[{"jsonrpc":"2.0","id":"n","result":"0xa"}]` {
			t.Errorf("batch of one, body mode: %s, want no lasso_meta", got.body)
		}
	})

	t.Run("eth_chainId answered locally", func(t *testing.T) {
		t.Parallel()
		r := newMetaRig(t)
		for _, tt := range []struct {
			path    string
			chainID float64
		}{{"/rpc/ethereum", 1}, {"/rpc/base", 8453}} {
			got := r.post(tt.path+"?include_meta=body", `{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`)
			m := got.lassoMeta(t)
			if _, has := m["selected_provider"]; has || m["chain_id"] != tt.chainID || m["version"] != "1.0" {
				t.Errorf("%s body: lasso_meta %v, want chain_id %v and no selected_provider", tt.path, m, tt.chainID)
			}
			got = r.post(tt.path+"?include_meta=headers", `{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`)
			if m := got.headerMeta(t); m["selected_provider"] != nil || m["chain_id"] != tt.chainID {
				t.Errorf("%s headers: meta %v, want chain_id %v and no selected_provider", tt.path, m, tt.chainID)
			}
		}
		if c := r.counts("a", "b"); c[0]+c[1] != 0 {
			t.Errorf("providers received %v, want nothing", c)
		}
	})

	t.Run("oversized header left out", func(t *testing.T) {
		t.Parallel()
		long := func(c string) string { return strings.Repeat(c, 1500) }
		r := newRig(t, nil,
			testProvider{id: long("a"), priority: 1, behave: ok(`"0x1"`)},
			testProvider{id: long("b"), priority: 2, behave: ok(`"0x1"`)},
			testProvider{id: long("c"), priority: 3, behave: ok(`"0x1"`)})
		got := r.post("/rpc/ethereum?include_meta=headers", blockNumber)
		if got.header.Get("X-Lasso-Meta") != "" || got.header.Get("X-Lasso-Request-Id") == "" {
			t.Errorf("x-lasso-meta of %d bytes sent (request id %q): want only x-lasso-request-id above 4096",
				len(got.header.Get("X-Lasso-Meta")), got.header.Get("X-Lasso-Request-Id"))
		}
		if string(got.body) != `{"jsonrpc":"2.0","id":1,"result":"0x1"}` {
			t.Errorf("body %s", got.body)
		}
	})
}
