package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/lasso-serverless/lasso/infra/lambdatest"
	"github.com/lasso-serverless/lasso/shared/lambdahttp"
	"github.com/lasso-serverless/lasso/shared/rpcclient/providertest"
)

// hexResult is a JSON string result of about n bytes, as eth_getLogs or a
// trace can return.
func hexResult(n int) string { return `"0x` + strings.Repeat("ab", n/2) + `"` }

// TestResponseOverLambdaLimit: an answer Lambda (6 MB) or an ALB (1 MB)
// would refuse reaches the client as a JSON-RPC error with its id, and in a
// batch only the oversized answer is replaced.
func TestResponseOverLambdaLimit(t *testing.T) {
	big := hexResult(7 << 20)
	p := providertest.New(t, providertest.ByMethod(
		map[string]providertest.Behaviour{"eth_getLogs": providertest.Result(big)},
		providertest.Result(`"`+blockNumber+`"`)))
	h := newFunction(t, p)

	check := func(t *testing.T, out []byte, limit int) reply {
		t.Helper()
		if len(out) > limit {
			t.Fatalf("response JSON of %d bytes, over the %d-byte limit", len(out), limit)
		}
		r := decodeReply(t, out)
		if r.StatusCode != 200 {
			t.Fatalf("status %s, want 200", statusOf(r.StatusCode))
		}
		return r
	}
	tooLarge := func(t *testing.T, raw json.RawMessage, wantID string) {
		t.Helper()
		var a struct {
			ID    json.RawMessage `json:"id"`
			Error *struct {
				Code int            `json:"code"`
				Data map[string]any `json:"data"`
			} `json:"error"`
		}
		if err := json.Unmarshal(raw, &a); err != nil {
			t.Fatal(err)
		}
		if string(a.ID) != wantID || a.Error == nil || a.Error.Code != -32603 || a.Error.Data["error_type"] != "response_too_large" {
			t.Errorf("got %s, want a response_too_large error with id %s", raw, wantID)
		}
	}

	t.Run("single call, HTTP API", func(t *testing.T) {
		ev := lambdatest.WithBody(t, event(t, "apigw-v2-post-rpc.json"), `{"jsonrpc":"2.0","id":42,"method":"eth_getLogs","params":[{}]}`)
		r := check(t, invoke(t, h, ev), lambdahttp.APIGatewayLimit)
		tooLarge(t, json.RawMessage(r.Body), "42")
	})
	t.Run("batch, HTTP API", func(t *testing.T) {
		ev := lambdatest.WithBody(t, event(t, "apigw-v2-post-rpc.json"), `[
			{"jsonrpc":"2.0","id":1,"method":"eth_getLogs","params":[{}]},
			{"jsonrpc":"2.0","id":2,"method":"eth_blockNumber"},
			{"jsonrpc":"2.0","id":3,"method":"eth_chainId"}]`)
		r := check(t, invoke(t, h, ev), lambdahttp.APIGatewayLimit)
		var items []json.RawMessage
		if err := json.Unmarshal([]byte(r.Body), &items); err != nil || len(items) != 3 {
			t.Fatalf("want a batch of 3 answers, got %.300s (%v)", r.Body, err)
		}
		tooLarge(t, items[0], "1")
		if !strings.Contains(string(items[1]), `"result":"`+blockNumber+`"`) || !strings.Contains(string(items[2]), `"result":"0x1"`) {
			t.Errorf("the small answers must arrive as they were: %s, %s", items[1], items[2])
		}
	})
	t.Run("ALB, 1 MB", func(t *testing.T) {
		p.SetBehaviour(providertest.Result(hexResult(1_100_000)))
		r := check(t, invoke(t, h, event(t, "alb-post-rpc-multivalue.json")), lambdahttp.ALBLimit)
		tooLarge(t, json.RawMessage(r.Body), "9")
	})
	t.Run("within the limit, untouched", func(t *testing.T) {
		p.SetBehaviour(providertest.Result(hexResult(5 << 20)))
		r := check(t, invoke(t, h, event(t, "apigw-v2-post-rpc.json")), lambdahttp.APIGatewayLimit)
		if rr := r.rpc(t); rr.Error != nil || len(rr.Result) < 5<<20 {
			t.Errorf("a 5 MB answer must pass: got error %+v, result of %d bytes", rr.Error, len(rr.Result))
		}
	})
}

func invoke(t *testing.T, h *lambdahttp.Handler, ev []byte) []byte {
	t.Helper()
	out, err := h.Invoke(context.Background(), ev)
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	return out
}
