package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/lasso-serverless/lasso/infra/lambdatest"
	"github.com/lasso-serverless/lasso/shared/redisstore/redistest"
)

// The bootstrap under the emulator with a real redis-server: the provider's
// answer comes back, the profile's client limit (burst 2) answers the third
// call with 429, and the state it keeps is in Redis.
func TestBootstrapWithRedisUnderEmulator(t *testing.T) {
	rie := lambdatest.RIE(t)
	redis := redistest.Start(t)
	bootstrap := lambdatest.Build(t, "RpcHttpFunction")
	p := provider(t)
	dir := t.TempDir()
	yml := fmt.Sprintf("---\nname: Test\nslug: public\nrps_limit: 1\nburst_limit: 2\n---\nchains:\n  ethereum:\n    chain_id: 1\n    providers:\n      - id: primary\n        url: %s\n", p.URL())
	if err := os.WriteFile(filepath.Join(dir, "public.yml"), []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	emu := lambdatest.Start(t, rie, bootstrap, []string{
		"LASSO_PROFILES_DIR=" + dir,
		"REDIS_URL=redis://" + redis.Addr,
		"AWS_LAMBDA_FUNCTION_NAME=rpc-http",
		"AWS_LAMBDA_FUNCTION_TIMEOUT=3",
	})
	for i := 1; i <= 2; i++ {
		r := invokeEmulator(t, emu, event(t, "apigw-v2-post-rpc.json"))
		if rr := r.rpc(t); r.StatusCode != 200 || string(rr.Result) != `"`+blockNumber+`"` {
			t.Fatalf("call %d: got %s %q, want the provider's result", i, statusOf(r.StatusCode), r.Body)
		}
	}
	r := invokeEmulator(t, emu, event(t, "apigw-v2-post-rpc.json"))
	if rr := r.rpc(t); r.StatusCode != 429 || rr.Error == nil || rr.Error.Code != -32005 || r.header("Retry-After") == "" {
		t.Fatalf("third call: got %s %q, want 429 -32005 with Retry-After", statusOf(r.StatusCode), r.Body)
	}
	if n, err := redis.Do("DBSIZE"); err != nil || n == ":0" {
		t.Errorf("redis DBSIZE %q (%v): want the limiter's and router's keys", n, err)
	}
	if c := p.Count(); c != 2 {
		t.Errorf("provider calls: got %d, want 2 (the refused call never reaches it)", c)
	}
}
