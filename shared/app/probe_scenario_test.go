package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/rpcclient/providertest"
)

// chainAt answers like a node of chain 1 whose head is height (hex), and
// with result to anything else.
func chainAt(height, result string) providertest.Behaviour {
	return providertest.ByMethod(map[string]providertest.Behaviour{
		"eth_chainId":     providertest.Result(`"0x1"`),
		"eth_blockNumber": providertest.Result(`"` + height + `"`),
	}, providertest.Result(result))
}

// probeOnce runs one probe round of every provider, as the local server's
// goroutine or the probe function does.
func (r *rig) probeOnce() {
	r.t.Helper()
	r.app.RunProbes(context.Background(), time.Now().Add(time.Millisecond))
}

// servedBy says which providers received method.
func (r *rig) servedBy(method string) []string {
	var out []string
	for id, p := range r.provider {
		if slices.Contains(p.Methods(), method) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

const balanceAt = `{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["0x00000000000000000000000000000000000000aa","%s"]}`

// TestScenario24ArchivalWithProbedHeads (reference 9, scenario 24) through
// the app: the probes learn the head, and then only a call for an old
// block avoids the archival: false provider. Before any probe the head is
// unknown and every numbered block is treated as archival.
func TestScenario24ArchivalWithProbedHeads(t *testing.T) {
	r := newRig(t, nil,
		testProvider{id: "pruned", priority: 1, behave: chainAt("0x3e8", `"0x1"`), extra: "        archival: false\n"},
		testProvider{id: "archive", priority: 2, behave: chainAt("0x3e8", `"0x2"`)},
	)
	recent := strings.Replace(balanceAt, "%s", "0x3e0", 1)
	if got := r.post("/rpc/ethereum", recent).object(t)["result"]; got != "0x2" {
		t.Fatalf("head unknown: a numbered block went to %v, want the archive (unknown head: assume archival)", got)
	}

	r.probeOnce()
	for _, p := range []string{"pruned", "archive"} {
		if r.provider[p].Count() == 0 {
			t.Fatalf("the probe round never reached %s", p)
		}
	}
	if got := r.post("/rpc/ethereum", recent).object(t)["result"]; got != "0x1" {
		t.Errorf("head 1000, block 992: got %v, want the pruned provider (first by priority, recent block)", got)
	}
	for _, block := range []string{"0x1", "earliest", "0x100"} {
		if got := r.post("/rpc/ethereum", strings.Replace(balanceAt, "%s", block, 1)).object(t)["result"]; got != "0x2" {
			t.Errorf("block %s: got %v, want the archive provider only", block, got)
		}
	}
	if got := r.post("/rpc/ethereum", strings.Replace(balanceAt, "%s", "latest", 1)).object(t)["result"]; got != "0x1" {
		t.Errorf("latest: got %v, want the pruned provider (latest is never archival)", got)
	}
}

// TestScenario25LagThroughProbes (reference 9, scenario 25) through the
// app: with max_lag_blocks 1, a provider the probes saw 10 blocks behind
// the consensus is left out, though first by priority.
func TestScenario25LagThroughProbes(t *testing.T) {
	r := newRigWith(t, rigOptions{chain: "    selection:\n      max_lag_blocks: 1\n"},
		testProvider{id: "behind", priority: 1, behave: chainAt("0x3de", `"behind"`)}, // 990
		testProvider{id: "head-a", priority: 2, behave: chainAt("0x3e8", `"head-a"`)}, // 1000
		testProvider{id: "head-b", priority: 3, behave: chainAt("0x3e8", `"head-b"`)},
	)
	call := `{"jsonrpc":"2.0","id":1,"method":"eth_gasPrice"}`
	if got := r.post("/rpc/ethereum", call).object(t)["result"]; got != "behind" {
		t.Fatalf("before any probe: got %v, want the first by priority (no heights, no lag filter)", got)
	}
	r.probeOnce()
	if got := r.post("/rpc/ethereum", call).object(t)["result"]; got != "head-a" {
		t.Errorf("after the probes: got %v, want head-a (behind is 10 blocks behind the consensus)", got)
	}
}

// TestStatusAPIShowsProbes: the status endpoints read what the probes and
// the router know, with URLs redacted, behind the token when one is set.
func TestStatusAPIShowsProbes(t *testing.T) {
	r := newRigWith(t, rigOptions{config: map[string]string{"LASSO_STATUS_TOKEN": "s3cret-status-token"}},
		testProvider{id: "good", priority: 1, behave: chainAt("0x3e8", `"0x1"`), urlPath: "/v2/KEYKEYKEY"},
		testProvider{id: "wrong", priority: 2, behave: providertest.ByMethod(map[string]providertest.Behaviour{
			"eth_chainId": providertest.Result(`"0x5"`)}, providertest.Result(`"0x1"`))},
	)
	r.probeOnce()
	get := func(path, token string) reply {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return r.do(req)
	}
	if rp := get("/api/status", ""); rp.status != http.StatusUnauthorized {
		t.Errorf("/api/status without the token: %d, want 401", rp.status)
	}
	rp := get("/api/status", "s3cret-status-token")
	if rp.status != http.StatusOK {
		t.Fatalf("/api/status: %d %s", rp.status, rp.body)
	}
	body := string(rp.body)
	if strings.Contains(body, "KEYKEYKEY") || strings.Contains(body, "s3cret") {
		t.Errorf("/api/status leaks a secret: %s", body)
	}
	var st struct {
		Profiles []struct {
			Chains []struct {
				Key       string `json:"key"`
				Consensus uint64 `json:"consensus_height"`
				Providers []struct {
					ID     string `json:"id"`
					Health string `json:"health"`
					Height uint64 `json:"height"`
				} `json:"providers"`
			} `json:"chains"`
		} `json:"profiles"`
	}
	if err := json.Unmarshal(rp.body, &st); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	found := 0
	for _, p := range st.Profiles {
		for _, c := range p.Chains {
			if c.Key != "ethereum" {
				continue
			}
			if c.Consensus != 1000 {
				t.Errorf("consensus %d, want 1000", c.Consensus)
			}
			for _, pr := range c.Providers {
				switch pr.ID {
				case "good":
					found++
					if pr.Health != "healthy" || pr.Height != 1000 {
						t.Errorf("good: %s at %d, want healthy at 1000", pr.Health, pr.Height)
					}
				case "wrong":
					found++
					if pr.Health != "misconfigured" {
						t.Errorf("wrong chain: %s, want misconfigured", pr.Health)
					}
				}
			}
		}
	}
	if found != 2 {
		t.Errorf("found %d of the 2 providers in %s", found, body)
	}
	// The rig's base chain (8453) is served by "good", a chain 1 node: the
	// probes find it on the wrong chain, so base has no usable provider.
	rp = get("/api/ready", "")
	var ready struct {
		Status string `json:"status"`
		Chains []struct {
			Chain string `json:"chain"`
			Ready bool   `json:"ready"`
		} `json:"chains"`
	}
	if err := json.Unmarshal(rp.body, &ready); err != nil || rp.status != http.StatusServiceUnavailable || ready.Status != "not_ready" {
		t.Fatalf("/api/ready: %d %s, want 503 not_ready", rp.status, rp.body)
	}
	for _, c := range ready.Chains {
		if want := c.Chain == "ethereum"; c.Ready != want {
			t.Errorf("/api/ready: %s ready=%v, want %v", c.Chain, c.Ready, want)
		}
	}
	if strings.Contains(r.logs.String(), "s3cret-status-token") {
		t.Error("the status token appears in the logs")
	}
}
