package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/app"
	"github.com/lasso-serverless/lasso/shared/probe"
	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/redisstore"
	"github.com/lasso-serverless/lasso/shared/rpcclient/providertest"
)

// upstream is one provider of the test profile.
type upstream struct {
	id       string
	url      string
	priority int  // 0: left to the file order
	pruned   bool // archival: false
}

// profileDir writes a public profile whose chain ethereum (id 1) is probed
// every second, counts a block older than 128 below the head as archival,
// and lists ups; it returns the directory LASSO_PROFILES_DIR names.
func profileDir(t *testing.T, ups ...upstream) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(`---
name: Test
slug: public
rps_limit: 1000
burst_limit: 1000
---
chains:
  ethereum:
    chain_id: 1
    monitoring:
      probe_interval_ms: 1000
    selection:
      archival_threshold: 128
    providers:
`)
	for _, u := range ups {
		fmt.Fprintf(&b, "      - id: %s\n        url: %s\n", u.id, u.url)
		if u.priority != 0 {
			fmt.Fprintf(&b, "        priority: %d\n", u.priority)
		}
		if u.pruned {
			b.WriteString("        archival: false\n")
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "public.yml"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// instanceIDs maps the profile's provider ids to the instance ids probe
// records are kept under.
func instanceIDs(t *testing.T, dir string) map[string]string {
	t.Helper()
	cfg, err := profile.LoadDir(dir, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	p, _ := cfg.Profile("public")
	c, _ := p.Chain("ethereum")
	out := map[string]string{}
	for _, pr := range c.Providers {
		out[pr.ID] = pr.InstanceID
	}
	return out
}

// node is a scripted provider on chain chainID (hex) at height head (hex)
// whose every balance is balance; other methods are unknown to it.
func node(t *testing.T, chainID, head, balance string) *providertest.Provider {
	return providertest.New(t, providertest.ByMethod(map[string]providertest.Behaviour{
		"eth_chainId":     providertest.Result(`"` + chainID + `"`),
		"eth_blockNumber": providertest.Result(`"` + head + `"`),
		"eth_getBalance":  providertest.Result(`"` + balance + `"`),
	}, providertest.RPCError(-32601, "the method does not exist", "")))
}

// calls counts the requests of one method a provider received.
func calls(p *providertest.Provider, method string) int {
	n := 0
	for _, m := range p.Methods() {
		if m == method {
			n++
		}
	}
	return n
}

// newFunction is the function's cold start (main's newHandler) with env as
// its environment, logging to the test's output and to log, if any.
func newFunction(t *testing.T, env map[string]string, log io.Writer) handler {
	t.Helper()
	out := t.Output()
	if log != nil {
		out = io.MultiWriter(out, log)
	}
	h, err := newHandler(func(k string) string { return env[k] }, app.Options{LogOutput: out})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// invoke calls the handler as Lambda would, with the scheduled event and
// a deadline timeout away, and returns how long it took.
func invoke(t *testing.T, h handler, timeout time.Duration) time.Duration {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	start := time.Now()
	err := h(ctx, event(t, "scheduled-event.json"))
	took := time.Since(start)
	if err != nil {
		t.Fatalf("handler: %v", err)
	}
	if ctx.Err() != nil {
		t.Fatalf("handler returned after its deadline (%v of %v)", took, timeout)
	}
	return took
}

// event reads a recorded event from testdata.
func event(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// records reads the chain's probe records from the Redis at addr, as every
// rpc-http container does.
func records(t *testing.T, addr string) *probe.View {
	t.Helper()
	rdb, err := redisstore.NewClient("redis://"+addr, false)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	views, err := redisstore.NewProbes(rdb).Load(t.Context(), []int64{1})
	if err != nil {
		t.Fatal(err)
	}
	if views[1] == nil {
		t.Fatal("no probe records of chain 1 in Redis")
	}
	return views[1]
}
