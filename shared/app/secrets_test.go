package app_test

import (
	"strings"
	"testing"

	"github.com/lasso-serverless/lasso/shared/rpcclient/providertest"
)

// No log line ever holds a provider key: not on success, not when the
// provider fails, not when the connection is refused (net/http puts the full
// URL in its errors), not at debug level.
func TestLogsNeverHoldProviderKeys(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"PATH_KEY":   "pathkey0123456789abcdef",
		"QUERY_KEY":  "querykey-9876543210",
		"API_KEY":    "apikey-bearer-secret",
		"HEADER_KEY": "headerkey-secret-42",
	}
	keyed := func(id string, prio int, b providertest.Behaviour) testProvider {
		return testProvider{id: id, priority: prio, behave: b,
			urlPath: "/v2/${PATH_KEY}?key=${QUERY_KEY}",
			extra:   "        api_key: ${API_KEY}\n        auth_headers:\n          X-Api-Key: ${HEADER_KEY}\n"}
	}
	r := newRig(t, env,
		keyed("refused", 1, ok(`"0x1"`)),
		keyed("broken", 2, providertest.Status(503, "upstream says pathkey0123456789abcdef is invalid")),
		keyed("garbage", 3, providertest.Raw("not json")),
		keyed("good", 4, ok(`"0x2"`)))
	r.provider["refused"].Close()

	for _, body := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`,
		`[{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"},{"jsonrpc":"2.0","id":2,"method":"eth_gasPrice"}]`,
		`{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["0x00"]}`,
	} {
		r.post("/rpc/ethereum", body)
	}
	got := r.post("/rpc/ethereum", `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`)
	if string(got.body) != `{"jsonrpc":"2.0","id":1,"result":"0x2"}` {
		t.Fatalf("failover to the good provider failed: %s", got.body)
	}
	logs := r.logs.String()
	if !strings.Contains(logs, `"level":"DEBUG"`) || !strings.Contains(logs, "upstream attempt failed") {
		t.Fatalf("want debug attempt lines in the log to make this test meaningful, got:\n%s", logs)
	}
	for name, secret := range env {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %s:\n%s", name, logs)
		}
	}
	for _, l := range r.logs.lines(t) {
		if l["msg"] != "rpc" {
			continue
		}
		for _, k := range []string{"request_id", "profile", "chain", "method", "provider", "status", "latency_ms"} {
			if _, ok := l[k]; !ok {
				t.Errorf("log line %v lacks %s", l, k)
			}
		}
	}
}
