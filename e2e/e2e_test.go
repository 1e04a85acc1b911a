package e2e

import (
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// reqIDs makes X-Request-Id values the router keeps (20 to 200 URL-safe
// characters), so that each call's log line can be found by its id.
var reqIDs atomic.Uint64

func newReqID(step string) string {
	return fmt.Sprintf("e2e-%s-%012d", step, reqIDs.Add(1))
}

// TestRouterWithGethProviders runs the router binary in front of two geth
// dev nodes and walks one story: everything up, then gethA crashes, then
// gethB too. The steps share the processes, so they run in order; each is a
// subtest so that a failure names the behaviour that broke.
//
// The two nodes are independent dev chains (same chain id, different blocks
// and accounts), so assertions that depend on a chain's state name the
// provider in the path; the default route (load_balanced) may pick either.
func TestRouterWithGethProviders(t *testing.T) {
	gethBin := gethBinary(t)
	start := time.Now()
	firstID := reqIDs.Load() // ids are global; -count=N runs this again

	// geth starts while the router builds; then wait for both.
	nodes := launchGeths(t, gethBin, "gethA", "gethB")
	routerBin := routerBinary(t)
	waitGeths(t, gethBin, nodes)
	gethA, gethB := nodes[0], nodes[1]
	r := startRouter(t, routerBin, writeProfile(t, gethA, gethB))
	t.Logf("setup (geth x2, router build and start) took %s", time.Since(start).Round(time.Millisecond))

	t.Run("eth_chainId is answered locally", func(t *testing.T) {
		id := newReqID("chainid")
		if got := r.result(t, "/rpc/dev", id, callBody(1, "eth_chainId"), nil); string(got) != `"0x539"` {
			t.Errorf("eth_chainId = %s, want \"0x539\"", got)
		}
		logs := r.waitCallLogs(t, id, 1)
		if len(logs) != 1 || logs[0]["local"] != true || logs[0]["provider"] != "" {
			t.Errorf("eth_chainId log = %v, want one line with local=true and no provider", logs)
		}
	})

	t.Run("eth_blockNumber is a hex quantity that grows", func(t *testing.T) {
		hexQuantity(t, r.result(t, "/rpc/dev", newReqID("blocknum"), callBody(1, "eth_blockNumber"), nil))
		// One chain only (gethA) so that heights are comparable; dev.period
		// 1 makes a block a second, so a few seconds must show growth.
		first := hexQuantity(t, r.result(t, "/rpc/dev/gethA", newReqID("blocknum"), callBody(1, "eth_blockNumber"), nil))
		deadline := time.Now().Add(5 * time.Second)
		for {
			time.Sleep(250 * time.Millisecond)
			n := hexQuantity(t, r.result(t, "/rpc/dev/gethA", newReqID("blocknum"), callBody(1, "eth_blockNumber"), nil))
			if n > first {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("eth_blockNumber stayed at %d for 5 s; geth --dev.period 1 should mine every second", n)
			}
		}
	})

	t.Run("eth_getBalance of the dev account is non-zero", func(t *testing.T) {
		for _, n := range nodes {
			account := n.devAccount(t)
			id := newReqID("balance")
			raw := r.result(t, "/rpc/dev/"+n.name, id, callBody(1, "eth_getBalance", account, "latest"), nil)
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				t.Fatalf("balance %s: %v", raw, err)
			}
			bal, ok := new(big.Int).SetString(strings.TrimPrefix(s, "0x"), 16)
			if !ok || !strings.HasPrefix(s, "0x") || bal.Sign() <= 0 {
				t.Errorf("%s: balance of %s = %q, want a positive hex quantity", n.name, account, s)
			}
			r.servedBy(t, id, n.name)
		}
	})

	t.Run("batch answers in request order without the notification", func(t *testing.T) {
		body := `[` +
			`{"jsonrpc":"2.0","id":"a","method":"eth_blockNumber"},` +
			`{"jsonrpc":"2.0","id":7,"method":"eth_getBlockByNumber","params":["latest",false]},` +
			`{"jsonrpc":"2.0","method":"eth_blockNumber"},` +
			`{}]`
		status, b := r.rpc(t, "/rpc/dev", newReqID("batch"), body, nil)
		if status != http.StatusOK {
			t.Fatalf("batch: HTTP %d, want 200; body %s", status, b)
		}
		var resps []rpcResponse
		if err := json.Unmarshal(b, &resps); err != nil {
			t.Fatalf("batch: body %s is not an array of responses: %v", b, err)
		}
		if len(resps) != 3 {
			t.Fatalf("batch: %d responses, want 3 (the notification gets none); body %s", len(resps), b)
		}
		if got := resps[0]; string(got.ID) != `"a"` || got.Error != nil {
			t.Errorf("batch[0] = id %s error %+v, want id \"a\" with a result", got.ID, got.Error)
		} else {
			hexQuantity(t, got.Result)
		}
		if got := resps[1]; string(got.ID) != `7` || got.Error != nil {
			t.Errorf("batch[1] = id %s error %+v, want id 7 with a result", got.ID, got.Error)
		} else {
			var block struct {
				Number string `json:"number"`
				Hash   string `json:"hash"`
			}
			if err := json.Unmarshal(got.Result, &block); err != nil || block.Number == "" || block.Hash == "" {
				t.Errorf("batch[1] result %s: want a block with number and hash (%v)", got.Result, err)
			}
		}
		if got := resps[2]; string(got.ID) != `null` || got.Error == nil || got.Error.Code != -32600 {
			t.Errorf("batch[2] = id %s error %+v, want id null with -32600", got.ID, got.Error)
		}
	})

	t.Run("eth_accounts is refused", func(t *testing.T) {
		resp := r.call(t, "/rpc/dev", newReqID("accounts"), callBody(1, "eth_accounts"), nil)
		if resp.Error == nil || resp.Error.Code != -32601 || resp.Error.Message != "Method not supported by proxy" {
			t.Errorf("eth_accounts = result %s error %+v, want -32601 \"Method not supported by proxy\"", resp.Result, resp.Error)
		}
	})

	t.Run("provider override", func(t *testing.T) {
		id := newReqID("override-path")
		hexQuantity(t, r.result(t, "/rpc/dev/gethB", id, callBody(1, "eth_blockNumber"), nil))
		r.servedBy(t, id, "gethB")

		id = newReqID("override-header")
		hexQuantity(t, r.result(t, "/rpc/dev", id, callBody(1, "eth_blockNumber"), http.Header{"X-Lasso-Provider": {"gethA"}}))
		r.servedBy(t, id, "gethA")

		// A named provider gets the call even for eth_chainId: the client
		// wants that provider's own answer.
		id = newReqID("override-chainid")
		if got := r.result(t, "/rpc/dev/gethB", id, callBody(1, "eth_chainId"), nil); string(got) != `"0x539"` {
			t.Errorf("eth_chainId via gethB = %s, want \"0x539\"", got)
		}
		r.servedBy(t, id, "gethB")
	})

	t.Run("a hung gethA is cut off by the method timeout", func(t *testing.T) {
		gethA.pause(t)
		// Named, gethA gets the call and no other: eth_blockNumber's 1 s
		// timeout ends it with a timeout error, not a hang.
		begin := time.Now()
		resp := r.call(t, "/rpc/dev/gethA", newReqID("hung-override"), callBody(1, "eth_blockNumber"), nil)
		if resp.Error == nil || resp.Error.Code != -32007 {
			t.Errorf("eth_blockNumber via hung gethA = result %s error %+v, want -32007 (timeout)", resp.Result, resp.Error)
		}
		if d := time.Since(begin); d > 5*time.Second {
			t.Errorf("eth_blockNumber via hung gethA took %s; its timeout is 1 s", d)
		}
		// Unnamed, a call that tries gethA first gives it part of the
		// timeout, then fails over to gethB within the same second.
		for i := range 4 {
			id := newReqID("hung")
			begin := time.Now()
			hexQuantity(t, r.result(t, "/rpc/dev", id, callBody(i, "eth_blockNumber"), nil))
			if d := time.Since(begin); d > 5*time.Second {
				t.Errorf("eth_blockNumber with gethA hung took %s; its timeout is 1 s", d)
			}
			r.servedBy(t, id, "gethB")
		}
	})

	t.Run("failover when gethA is killed", func(t *testing.T) {
		gethA.kill() // SIGKILL: a crash, not a clean shutdown
		for i := range 10 {
			id := newReqID("failover")
			hexQuantity(t, r.result(t, "/rpc/dev", id, callBody(i, "eth_blockNumber"), nil))
			r.servedBy(t, id, "gethB")
		}
		// An override asks for that provider's answer, so it does not fail
		// over: a dead gethA is a JSON-RPC error, still with HTTP 200.
		resp := r.call(t, "/rpc/dev/gethA", newReqID("failover-override"), callBody(1, "eth_blockNumber"), nil)
		if resp.Error == nil || resp.Error.Code >= 0 {
			t.Errorf("eth_blockNumber via dead gethA = result %s error %+v, want a JSON-RPC error", resp.Result, resp.Error)
		}
	})

	t.Run("all providers down", func(t *testing.T) {
		gethB.kill()
		status, b := r.rpc(t, "/rpc/dev", newReqID("alldown"), callBody(1, "eth_blockNumber"), nil)
		var resp rpcResponse
		if err := json.Unmarshal(b, &resp); err != nil {
			t.Fatalf("all down: HTTP %d body %s: %v", status, b, err)
		}
		if status != http.StatusOK {
			t.Errorf("all down: HTTP %d, want 200 (never a 5xx for an upstream failure); body %s", status, b)
		}
		if resp.Error == nil || resp.Error.Code >= 0 || resp.Result != nil {
			t.Errorf("all down: body %s, want a JSON-RPC error with a negative code", b)
		}
		if got := r.result(t, "/rpc/dev", newReqID("alldown-chainid"), callBody(1, "eth_chainId"), nil); string(got) != `"0x539"` {
			t.Errorf("eth_chainId with all providers down = %s, want \"0x539\"", got)
		}
		// In a batch, each member fails or succeeds on its own.
		status, b = r.rpc(t, "/rpc/dev", newReqID("alldown-batch"),
			`[{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"},{"jsonrpc":"2.0","id":2,"method":"eth_chainId"}]`, nil)
		var resps []rpcResponse
		if err := json.Unmarshal(b, &resps); err != nil || status != http.StatusOK || len(resps) != 2 {
			t.Fatalf("all down batch: HTTP %d body %s (%v), want 200 and two responses", status, b, err)
		}
		if resps[0].Error == nil || resps[0].Error.Code >= 0 || string(resps[1].Result) != `"0x539"` {
			t.Errorf("all down batch: body %s, want an error for eth_blockNumber and 0x539 for eth_chainId", b)
		}
	})

	t.Run("stdout is one JSON line per call", func(t *testing.T) {
		// Every request above got its own id and one line per member that
		// is a call: the first batch has three (its notification too, not
		// the invalid {}), the all-down batch two, so three more than ids.
		last := reqIDs.Load()
		want := int(last-firstID) + 3
		var lines, calls []map[string]any
		var bad []string
		for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			lines, bad = r.logLines()
			calls = calls[:0]
			for _, l := range lines {
				if l["msg"] == "rpc" {
					calls = append(calls, l)
				}
			}
			if len(calls) >= want || time.Now().After(deadline) {
				break
			}
		}
		for _, text := range bad {
			t.Errorf("router stdout line is not a JSON object: %q", text)
		}
		for _, l := range lines {
			// Lifecycle lines ("listening") carry no call fields, but every
			// line is a slog record.
			if _, ok := l["level"]; !ok {
				t.Errorf("log line without level: %v", l)
			}
		}
		if len(calls) != want {
			t.Errorf("%d call log lines, want %d (one per call)", len(calls), want)
		}
		seen := map[string]bool{}
		for _, l := range calls {
			for _, k := range []string{"request_id", "method", "status", "provider"} {
				if _, ok := l[k]; !ok {
					t.Errorf("call log line without %q: %v", k, l)
				}
			}
			if m, _ := l["method"].(string); m == "" {
				t.Errorf("call log line without a method: %v", l)
			}
			id, _ := l["request_id"].(string)
			seen[id] = true
		}
		for n := firstID + 1; n <= last; n++ {
			suffix := fmt.Sprintf("-%012d", n)
			found := false
			for id := range seen {
				found = found || strings.HasSuffix(id, suffix)
			}
			if !found {
				t.Errorf("no call log line for request %d (X-Request-Id ending %s)", n, suffix)
			}
		}
	})

	t.Logf("whole e2e story took %s", time.Since(start).Round(time.Millisecond))
}
