package app_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lasso-serverless/lasso/shared/rpcclient/providertest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// A successful upstream answer reaches the client byte for byte, whatever its
// spacing, key order or extra members; only the id is the client's.
func TestPassthroughBytes(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil, testProvider{id: "a", priority: 1, behave: func(rc providertest.Received) (int, []byte) {
		return 200, []byte("{ \"result\" : {\"b\":2, \"a\":[1, 2.50, \"x\\\"}\"]},\n \"id\":" + string(rc.ID) + ", \"jsonrpc\":\"2.0\", \"extra\":true }")
	}})
	got := r.post("/rpc/ethereum", `{"jsonrpc":"2.0","id":"client-1","method":"eth_getBlockByNumber","params":["latest",false]}`)
	want := "{ \"result\" : {\"b\":2, \"a\":[1, 2.50, \"x\\\"}\"]},\n \"id\":\"client-1\", \"jsonrpc\":\"2.0\", \"extra\":true }"
	if string(got.body) != want {
		t.Errorf("got  %s\nwant %s", got.body, want)
	}
}

// Failover on transport errors and 5xx for replay-safe methods, in priority
// order; deterministic JSON-RPC errors come back unchanged without failover.
func TestFailover(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		a        providertest.Behaviour
		method   string
		wantBody string
		wantB    int
	}{
		{"503 fails over", providertest.Status(503, "busy"), "eth_blockNumber", `{"jsonrpc":"2.0","id":1,"result":"0xb"}`, 1},
		{"502 html fails over", providertest.Status(502, "<html>bad gateway</html>"), "eth_blockNumber", `{"jsonrpc":"2.0","id":1,"result":"0xb"}`, 1},
		{"403 without JSON-RPC body fails over", providertest.Status(403, "<html>forbidden</html>"), "eth_blockNumber", `{"jsonrpc":"2.0","id":1,"result":"0xb"}`, 1},
		{"429 fails over", providertest.Status(429, "slow down"), "eth_blockNumber", `{"jsonrpc":"2.0","id":1,"result":"0xb"}`, 1},
		{"invalid response fails over", providertest.Raw(`[1,2,3]`), "eth_blockNumber", `{"jsonrpc":"2.0","id":1,"result":"0xb"}`, 1},
		{"revert returned unchanged", providertest.RPCError(3, "execution reverted", `"0x08c379a00000000000000000000000000000000000000000000000000000000000000020"`),
			"eth_call", `{"jsonrpc":"2.0","id":1,"error":{"code":3,"message":"execution reverted","data":"0x08c379a00000000000000000000000000000000000000000000000000000000000000020"}}`, 0},
		{"invalid params returned unchanged", providertest.RPCError(-32602, "invalid argument 0", ""),
			"eth_getBalance", `{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"invalid argument 0"}}`, 0},
		{"503 on sendRawTransaction is not retried", providertest.Status(503, "busy"),
			"eth_sendRawTransaction", `{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"Upstream dispatch outcome is indeterminate"}}`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, nil,
				testProvider{id: "a", priority: 1, behave: tt.a},
				testProvider{id: "b", priority: 2, behave: ok(`"0xb"`)})
			got := r.post("/rpc/profile/public/ethereum", `{"jsonrpc":"2.0","id":1,"method":"`+tt.method+`","params":[]}`)
			if string(got.body) != tt.wantBody {
				t.Errorf("got %s, want %s", got.body, tt.wantBody)
			}
			if n := r.provider["b"].Count(); n != tt.wantB {
				t.Errorf("provider b received %d, want %d", n, tt.wantB)
			}
			if n := r.provider["a"].Count(); n != 1 {
				t.Errorf("provider a received %d, want 1", n)
			}
		})
	}
}

// When every provider fails, the client gets the last failure as a JSON-RPC
// error with HTTP 200, never a 5xx.
func TestExhaustion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		behave   providertest.Behaviour
		wantBody string
	}{
		{"5xx", providertest.Status(500, "oops"), `{"jsonrpc":"2.0","id":1,"error":{"code":-32002,"message":"Server error","data":{"status":500}}}`},
		{"429", providertest.Status(429, ""), `{"jsonrpc":"2.0","id":1,"error":{"code":-32005,"message":"Rate limited by provider"}}`},
		{"invalid", providertest.Raw(`{"jsonrpc":"2.0","id":"other","result":1}`), `{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"Invalid upstream response"}}`},
		{"5xx with JSON-RPC body", providertest.Status(503, `{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"internal"}}`),
			`{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"internal"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, nil,
				testProvider{id: "a", priority: 1, behave: tt.behave},
				testProvider{id: "b", priority: 2, behave: tt.behave})
			got := r.post("/rpc/ethereum", `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`)
			if got.status != 200 || string(got.body) != tt.wantBody {
				t.Errorf("got %d %s, want 200 %s", got.status, got.body, tt.wantBody)
			}
		})
	}
	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		r := newRig(t, nil, testProvider{id: "a", priority: 1, behave: ok(`"0x1"`)})
		r.provider["a"].Close()
		got := r.post("/rpc/ethereum", `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`)
		want := `{"jsonrpc":"2.0","id":1,"error":{"code":-32004,"message":"Network error"}}`
		if got.status != 200 || string(got.body) != want {
			t.Errorf("got %d %s, want 200 %s", got.status, got.body, want)
		}
	})
}

// The batch wire output, pinned: order, ids, local answers, invalid members,
// notifications left out, passthrough bytes and errors side by side.
func TestBatchGolden(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil, testProvider{id: "a", priority: 1, behave: providertest.ByMethod(map[string]providertest.Behaviour{
		"eth_call": providertest.RPCError(3, "execution reverted", `"0x08c379a0"`),
		"eth_getBlockByNumber": func(rc providertest.Received) (int, []byte) {
			return 200, []byte(`{"jsonrpc":"2.0","id":` + string(rc.ID) + `,"result":{"number":"0x10","hash":"0xabc","transactions":[]}}`)
		},
	}, ok(`"0x10"`))})
	body := `[
		{"jsonrpc":"2.0","id":"s","method":"eth_blockNumber"},
		{"jsonrpc":"2.0","id":2,"method":"eth_chainId"},
		{"jsonrpc":"2.0","method":"eth_blockNumber"},
		{"jsonrpc":"2.0","id":3.5,"method":"eth_getBlockByNumber","params":["latest",false]},
		{},
		{"jsonrpc":"2.0","id":-4,"method":"eth_call","params":[{"to":"0x0000000000000000000000000000000000000001"},"latest"]},
		"text",
		{"jsonrpc":"2.0","id":5,"method":"eth_accounts"},
		{"jsonrpc":"2.0","id":null,"method":"eth_subscribe","params":["newHeads"]},
		{"jsonrpc":"1.0","id":6,"method":"eth_blockNumber"}
	]`
	got := r.post("/rpc/ethereum", body)
	golden := filepath.Join("testdata", "batch.golden")
	if *update {
		if err := os.WriteFile(golden, append(got.body, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got.body) != strings.TrimSuffix(string(want), "\n") {
		t.Errorf("batch output differs from %s:\n got %s\nwant %s", golden, got.body, want)
	}
	if got.status != 200 {
		t.Errorf("status: got %d, want 200", got.status)
	}
}
