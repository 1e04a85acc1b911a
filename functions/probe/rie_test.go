package main

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/infra/lambdatest"
	"github.com/lasso-serverless/lasso/shared/redisstore/redistest"
	"github.com/lasso-serverless/lasso/shared/rpcclient/providertest"
)

// TestProbeThenRouteUnderEmulator runs both real bootstraps under the
// Lambda emulator over one real redis-server: a scheduled invocation of the
// probe function records the head (1000) of two providers, and rpc-http
// routes by it. With the head known, a balance at a recent block (0x3e0,
// within the 128-block archival threshold) goes to the pruned provider,
// first by priority, and one at block 0x1 to the archive alone; before the
// probe ran, with the head unknown, the recent block went to the archive
// too, since every numbered block then counts as archival.
func TestProbeThenRouteUnderEmulator(t *testing.T) {
	t.Parallel()
	rie := lambdatest.RIE(t)
	redis := redistest.Start(t)
	pruned := node(t, "0x1", "0x3e8", "0x111")
	archive := node(t, "0x1", "0x3e8", "0x222")
	dir := profileDir(t,
		upstream{id: "pruned", url: pruned.URL(), priority: 1, pruned: true},
		upstream{id: "archive", url: archive.URL(), priority: 2})
	probeBootstrap := lambdatest.Build(t, "ProbeFunction")
	rpcBootstrap := lambdatest.Build(t, "RpcHttpFunction")

	rpc := lambdatest.Start(t, rie, rpcBootstrap, []string{
		"LASSO_PROFILES_DIR=" + dir,
		"REDIS_URL=redis://" + redis.Addr,
		"LASSO_DEFAULT_STRATEGY=priority", // priority has no route of its own
		"AWS_LAMBDA_FUNCTION_NAME=rpc-http",
		"AWS_LAMBDA_FUNCTION_TIMEOUT=3",
	})
	balance := func(block string) (provider, result string) {
		t.Helper()
		before := map[string]int{"pruned": calls(pruned, "eth_getBalance"), "archive": calls(archive, "eth_getBalance")}
		body := `{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["0x0000000000000000000000000000000000000000","` + block + `"]}`
		out, status := rpc.Post(t, lambdatest.WithBody(t, event(t, "apigw-v2-post-rpc.json"), body))
		rpc.WaitOutput(t, lambdatest.ReportLine)
		var r struct {
			StatusCode int    `json:"statusCode"`
			Body       string `json:"body"`
		}
		var rr struct {
			Result string `json:"result"`
		}
		if status != http.StatusOK || json.Unmarshal(out, &r) != nil || r.StatusCode != http.StatusOK || json.Unmarshal([]byte(r.Body), &rr) != nil {
			t.Fatalf("eth_getBalance at %s: got HTTP %d %s, want a 200 JSON-RPC answer", block, status, out)
		}
		for _, p := range []struct {
			id   string
			node *providertest.Provider
		}{{"pruned", pruned}, {"archive", archive}} {
			switch calls(p.node, "eth_getBalance") - before[p.id] {
			case 0:
			case 1:
				if provider != "" {
					t.Fatalf("eth_getBalance at %s reached both providers", block)
				}
				provider = p.id
			default:
				t.Fatalf("eth_getBalance at %s reached %s more than once", block, p.id)
			}
		}
		return provider, rr.Result
	}

	// Head unknown: nothing probed yet.
	if got, res := balance("0x3e0"); got != "archive" || res != "0x222" {
		t.Fatalf("head unknown, block 0x3e0: reached %q (result %s), want archive (every numbered block counts as archival)", got, res)
	}
	unknownAt := time.Now()

	probe := lambdatest.Start(t, rie, probeBootstrap, []string{
		"LASSO_PROFILES_DIR=" + dir,
		"REDIS_URL=redis://" + redis.Addr,
		"AWS_LAMBDA_FUNCTION_NAME=probe",
		"AWS_LAMBDA_FUNCTION_TIMEOUT=8", // the run ends 6 s before: about 2 s
	})
	start := time.Now()
	out, status := probe.Post(t, event(t, "scheduled-event.json"))
	took := time.Since(start)
	if status != http.StatusOK || string(out) != "null" {
		t.Fatalf("probe invocation: got HTTP %d %s, want 200 null", status, out)
	}
	initLog := probe.WaitOutput(t, lambdatest.InitReport)
	report := probe.WaitOutput(t, lambdatest.ReportLine)
	t.Logf("probe function: init phase %s ms (INIT REPORT); scheduled run %s (%v from the test's side)",
		lambdatest.InitReport.FindStringSubmatch(initLog)[1], lambdatest.Duration(report), took.Round(time.Millisecond))
	for id, p := range map[string]*providertest.Provider{"pruned": pruned, "archive": archive} {
		if c, n := calls(p, "eth_chainId"), calls(p, "eth_blockNumber"); c < 2 || n < 2 {
			t.Errorf("probe of %s: got %d eth_chainId and %d eth_blockNumber, want at least 2 rounds", id, c, n)
		}
	}

	// rpc-http keeps its copy of the heads up to a second (probe.Snapshot's
	// TTL): the copy that said "unknown" must have expired.
	time.Sleep(time.Until(unknownAt.Add(1100 * time.Millisecond)))

	// Head known (1000): 0x3e0 (992) is recent, so priority decides.
	if got, res := balance("0x3e0"); got != "pruned" || res != "0x111" {
		t.Errorf("head 1000, block 0x3e0: reached %q (result %s), want pruned (priority 1; the block is within the archival threshold)", got, res)
	}
	// 0x1 is far below the head: only the archive has it.
	if got, res := balance("0x1"); got != "archive" || res != "0x222" {
		t.Errorf("head 1000, block 0x1: reached %q (result %s), want archive (the pruned provider is archival: false)", got, res)
	}
}
