package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/lasso-serverless/lasso/shared/rpcclient/providertest"
)

// The black-box scenarios of Lasso's wire contract (reference section 9,
// scenarios 1 to 12, 30 and 31), each against scripted providers.

func TestScenarioWireContract(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		path       string
		body       string
		headers    []string
		wantStatus int
		wantBody   string // exact body; "" means empty
		wantA      int    // requests provider a must have received
	}{
		{
			name: "1 empty batch", path: "/rpc/ethereum", body: `[]`,
			wantStatus: 200, wantBody: `{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request"}}`,
		},
		{
			name: "2 batch of notifications", path: "/rpc/ethereum",
			body:       `[{"jsonrpc":"2.0","method":"eth_blockNumber"},{"jsonrpc":"2.0","method":"eth_gasPrice","params":[]}]`,
			wantStatus: 204, wantBody: "", wantA: 2,
		},
		{
			name: "3 single notification", path: "/rpc/ethereum", body: `{"jsonrpc":"2.0","method":"eth_blockNumber"}`,
			wantStatus: 204, wantBody: "", wantA: 1,
		},
		{
			name: "4 null id answered", path: "/rpc/ethereum", body: `{"jsonrpc":"2.0","id":null,"method":"eth_blockNumber"}`,
			wantStatus: 200, wantBody: `{"jsonrpc":"2.0","id":null,"result":"0x10"}`, wantA: 1,
		},
		{
			name: "5 notification and null id", path: "/rpc/ethereum",
			body:       `[{"jsonrpc":"2.0","method":"eth_blockNumber"},{"jsonrpc":"2.0","id":null,"method":"eth_blockNumber"}]`,
			wantStatus: 200, wantBody: `[{"jsonrpc":"2.0","id":null,"result":"0x10"}]`, wantA: 2,
		},
		{
			name: "6 invalid members", path: "/rpc/ethereum", body: `[{}, 42]`,
			wantStatus: 200,
			wantBody:   `[{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request"}},{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request"}}]`,
		},
		{
			name: "7 batch of 51", path: "/rpc/ethereum", body: batchOf(51),
			wantStatus: 200, wantBody: `{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: batch too large"}}`,
		},
		{
			name: "7 batch of 50 is fine", path: "/rpc/ethereum", body: batchOf(50),
			wantStatus: 200, wantA: 50,
		},
		{
			name: "9 eth_chainId answered locally", path: "/rpc/ethereum", body: `{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}`,
			wantStatus: 200, wantBody: `{"jsonrpc":"2.0","id":1,"result":"0x1"}`,
		},
		{
			name: "9 eth_chainId lower-case hex by chain id", path: "/rpc/8453", body: `{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`,
			wantStatus: 200, wantBody: `{"jsonrpc":"2.0","id":1,"result":"0x2105"}`,
		},
		{
			name: "9 eth_chainId with override is forwarded", path: "/rpc/ethereum", body: `{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`,
			headers: []string{"X-Lasso-Provider", "a"}, wantStatus: 200, wantBody: `{"jsonrpc":"2.0","id":1,"result":"0x10"}`, wantA: 1,
		},
		{
			name: "10 eth_subscribe over HTTP", path: "/rpc/ethereum", body: `{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}`,
			wantStatus: 200,
			wantBody:   `{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not supported over HTTP. Use WebSocket connection for subscriptions.","data":{"websocket_url":"/ws/rpc/ethereum"}}}`,
		},
		{
			name: "10 eth_unsubscribe keeps profile and strategy path", path: "/rpc/profile/public/fastest/ethereum",
			body:       `{"jsonrpc":"2.0","id":1,"method":"eth_unsubscribe","params":["0x1"]}`,
			wantStatus: 200,
			wantBody:   `{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not supported over HTTP. Use WebSocket connection for subscriptions.","data":{"websocket_url":"/ws/rpc/profile/public/fastest/ethereum"}}}`,
		},
		{
			name: "11 eth_sendTransaction refused", path: "/rpc/ethereum", body: `{"jsonrpc":"2.0","id":1,"method":"eth_sendTransaction","params":[{}]}`,
			wantStatus: 200, wantBody: `{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not supported by proxy"}}`,
		},
		{
			name: "11 eth_accounts refused", path: "/rpc/ethereum", body: `{"jsonrpc":"2.0","id":1,"method":"eth_accounts"}`,
			wantStatus: 200, wantBody: `{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not supported by proxy"}}`,
		},
		{
			name: "12 unknown chain", path: "/rpc/solana", body: `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`,
			wantStatus: 400, wantBody: `{"jsonrpc":"2.0","id":null,"error":{"code":-32602,"message":"Unsupported chain: Unknown chain 'solana' in profile 'public'"}}`,
		},
		{
			name: "12 chain by decimal id", path: "/rpc/1", body: `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`,
			wantStatus: 200, wantBody: `{"jsonrpc":"2.0","id":1,"result":"0x10"}`, wantA: 1,
		},
		{
			name: "12 chain by alias", path: "/rpc/eth", body: `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`,
			wantStatus: 200, wantBody: `{"jsonrpc":"2.0","id":1,"result":"0x10"}`, wantA: 1,
		},
		{
			name: "12 unknown profile", path: "/rpc/profile/nope/ethereum", body: `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`,
			wantStatus: 404, wantBody: `{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"Profile 'nope' not found","data":{"error_type":"profile_not_found"}}}`,
		},
		{
			name: "12 default is public", path: "/rpc/profile/default/ethereum", body: `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`,
			wantStatus: 200, wantBody: `{"jsonrpc":"2.0","id":1,"result":"0x10"}`, wantA: 1,
		},
		{
			name: "12 empty profile", path: "/rpc/profile//ethereum", body: `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`,
			wantStatus: 400, wantBody: `{"jsonrpc":"2.0","id":null,"error":{"code":-32602,"message":"Invalid params: profile must not be empty"}}`,
		},
		{
			name: "30 override to an unconfigured provider", path: "/rpc/provider/zeta/ethereum", body: `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`,
			wantStatus: 400, wantBody: `{"jsonrpc":"2.0","id":null,"error":{"code":-32602,"message":"Unsupported chain: Provider 'zeta' is not configured for this chain"}}`,
		},
		{
			name: "30 strategy segment read as provider id", path: "/rpc/ethereum/priority", body: `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`,
			wantStatus: 400, wantBody: `{"jsonrpc":"2.0","id":null,"error":{"code":-32602,"message":"Unsupported chain: Provider 'priority' is not configured for this chain"}}`,
		},
		{
			name: "31 malformed JSON", path: "/rpc/ethereum", body: `{"jsonrpc":"2.0",`,
			wantStatus: 400, wantBody: `{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error: Invalid JSON"}}`,
		},
		{
			name: "jsonrpc must be 2.0", path: "/rpc/ethereum", body: `{"jsonrpc":"1.0","id":3,"method":"eth_blockNumber"}`,
			wantStatus: 200, wantBody: `{"jsonrpc":"2.0","id":3,"error":{"code":-32600,"message":"Invalid Request: jsonrpc must be \"2.0\""}}`,
		},
		{
			name: "jsonrpc may be absent", path: "/rpc/ethereum", body: `{"id":3,"method":"eth_blockNumber"}`,
			wantStatus: 200, wantBody: `{"jsonrpc":"2.0","id":3,"result":"0x10"}`, wantA: 1,
		},
		{
			name: "unknown methods are forwarded", path: "/rpc/ethereum", body: `{"jsonrpc":"2.0","id":3,"method":"vendor_special","params":[1]}`,
			wantStatus: 200, wantBody: `{"jsonrpc":"2.0","id":3,"result":"0x10"}`, wantA: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, nil, testProvider{id: "a", priority: 1, behave: ok(`"0x10"`)})
			got := r.post(tt.path, tt.body, tt.headers...)
			if got.status != tt.wantStatus {
				t.Errorf("status: got %d, want %d (body %s)", got.status, tt.wantStatus, got.body)
			}
			if tt.wantBody != "" || tt.wantStatus == 204 {
				if string(got.body) != tt.wantBody {
					t.Errorf("body:\n got %s\nwant %s", got.body, tt.wantBody)
				}
			}
			if n := r.provider["a"].Count(); n != tt.wantA {
				t.Errorf("provider a received %d requests, want %d", n, tt.wantA)
			}
			if ct := got.header.Get("Content-Type"); tt.wantStatus != 204 && ct != "application/json; charset=utf-8" {
				t.Errorf("content-type: got %q", ct)
			}
		})
	}
}

func batchOf(n int) string {
	items := make([]string, n)
	for i := range items {
		items[i] = `{"jsonrpc":"2.0","id":` + itoa(i) + `,"method":"eth_blockNumber"}`
	}
	return "[" + strings.Join(items, ",") + "]"
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// Scenario 8: ids come back exactly as sent (type too), while providers only
// ever see the router's private ids.
func TestScenarioIDsRewritten(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil, testProvider{id: "a", priority: 1, behave: providertest.ByMethod(map[string]providertest.Behaviour{
		"eth_getBalance": ok(`"0xde0b6b3a7640000"`),
	}, ok(`"0x10"`))})
	got := r.post("/rpc/ethereum", `[{"jsonrpc":"2.0","id":"a","method":"eth_blockNumber"},{"jsonrpc":"2.0","id":7,"method":"eth_getBalance","params":["0x0000000000000000000000000000000000000001","latest"]}]`)
	want := `[{"jsonrpc":"2.0","id":"a","result":"0x10"},{"jsonrpc":"2.0","id":7,"result":"0xde0b6b3a7640000"}]`
	if string(got.body) != want {
		t.Fatalf("got %s, want %s", got.body, want)
	}
	seen := r.provider["a"].Received()
	if len(seen) != 2 {
		t.Fatalf("provider got %d requests, want 2", len(seen))
	}
	ids := map[string]bool{}
	for _, s := range seen {
		var id string
		if err := json.Unmarshal(s.ID, &id); err != nil || !strings.HasPrefix(id, "lasso-") {
			t.Errorf("upstream id %s: want a private \"lasso-...\" id", s.ID)
		}
		ids[id] = true
	}
	if len(ids) != 2 {
		t.Errorf("upstream ids %v are not unique", ids)
	}
}

// Scenario 9 (second half) and 30: an override reaches only that provider,
// and a failing override is not failed over.
func TestScenarioOverride(t *testing.T) {
	t.Parallel()
	forms := []struct {
		name, path string
		headers    []string
	}{
		{"path provider/<id>/<chain>", "/rpc/provider/b/ethereum", nil},
		{"path <chain>/<id>", "/rpc/ethereum/b", nil},
		{"profile path", "/rpc/profile/public/provider/b/ethereum", nil},
		{"profile <chain>/<id>", "/rpc/profile/public/ethereum/b", nil},
		{"query provider_override", "/rpc/ethereum?provider_override=b", nil},
		{"query provider_id", "/rpc/ethereum?provider_id=b", nil},
		{"header", "/rpc/ethereum", []string{"X-Lasso-Provider", "b"}},
		{"path wins over header", "/rpc/ethereum/b", []string{"X-Lasso-Provider", "a"}},
	}
	for _, f := range forms {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, nil,
				testProvider{id: "a", priority: 1, behave: ok(`"0xa"`)},
				testProvider{id: "b", priority: 2, behave: providertest.Status(503, "down")})
			got := r.post(f.path, `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`, f.headers...)
			code, _ := got.errorOf(t)
			if got.status != 200 || code != -32002 {
				t.Errorf("got status %d code %d (%s), want 200 and the provider's failure -32002", got.status, code, got.body)
			}
			if n := r.provider["a"].Count(); n != 0 {
				t.Errorf("provider a received %d requests, want 0: an override never fails over", n)
			}
			if n := r.provider["b"].Count(); n != 1 {
				t.Errorf("provider b received %d requests, want 1", n)
			}
		})
	}
}

// Scenario 31: the 8 MB body limit, whether the length is declared or not.
func TestScenarioBodyTooLarge(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil, testProvider{id: "a", priority: 1, behave: ok(`"0x1"`)})
	big := `{"jsonrpc":"2.0","id":1,"method":"eth_call","params":["` + strings.Repeat("a", 9_000_000) + `"]}`
	want := `{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: request body too large"}}`

	declared := r.post("/rpc/ethereum", big)
	req := httptestRequestChunked(big)
	chunked := r.do(req)
	for name, got := range map[string]reply{"content-length": declared, "chunked": chunked} {
		if got.status != http.StatusRequestEntityTooLarge || string(got.body) != want {
			t.Errorf("%s: got %d %s, want 413 %s", name, got.status, got.body, want)
		}
	}
	if n := r.provider["a"].Count(); n != 0 {
		t.Errorf("provider received %d requests, want 0", n)
	}
}
