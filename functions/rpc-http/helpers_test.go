package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lasso-serverless/lasso/shared/rpcclient/providertest"
)

// profileDir writes a public profile whose chain ethereum (id 1, alias eth)
// has one provider, primary, at url, and returns its directory: what
// LASSO_PROFILES_DIR names in the function's environment.
func profileDir(t *testing.T, url string) string {
	t.Helper()
	yml := fmt.Sprintf(`---
name: Test
slug: public
rps_limit: 1000
burst_limit: 1000
---
chains:
  ethereum:
    chain_id: 1
    url_aliases: [eth]
    providers:
      - id: primary
        url: %s
`, url)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "public.yml"), []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// provider answers every call with blockNumber and the call's id.
func provider(t *testing.T) *providertest.Provider {
	return providertest.New(t, providertest.Result(`"`+blockNumber+`"`))
}

const blockNumber = "0x1234"

// event reads a recorded event from testdata.
func event(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ethCall is a call whose own timeout (5 s) outlasts the invocations of
// the deadline tests.
const ethCall = `{"jsonrpc":"2.0","id":42,"method":"eth_call","params":[{"to":"0x0000000000000000000000000000000000000000","data":"0x"},"latest"]}`

// reply is any of the three response shapes: API Gateway HTTP API sets
// headers, REST API multiValueHeaders, ALB either (as the target group
// asked) plus statusDescription.
type reply struct {
	StatusCode        int                 `json:"statusCode"`
	StatusDescription string              `json:"statusDescription"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

func decodeReply(t *testing.T, out []byte) reply {
	t.Helper()
	var r reply
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("response %s: %v", out, err)
	}
	return r
}

// header reads a response header whatever the shape carried it in.
func (r reply) header(name string) string {
	for k, v := range r.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	for k, vs := range r.MultiValueHeaders {
		if strings.EqualFold(k, name) {
			return strings.Join(vs, ",")
		}
	}
	return ""
}

// rpcReply is a JSON-RPC response.
type rpcReply struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  json.RawMessage `json:"result"`
	Error   *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func (r reply) rpc(t *testing.T) rpcReply {
	t.Helper()
	var rr rpcReply
	if err := json.Unmarshal([]byte(r.Body), &rr); err != nil {
		t.Fatalf("body %q: not a JSON-RPC response: %v", r.Body, err)
	}
	return rr
}

// statusOf names a status in failure messages.
func statusOf(code int) string { return fmt.Sprintf("%d %s", code, http.StatusText(code)) }
