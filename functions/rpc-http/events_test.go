package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/infra/lambdatest"
	"github.com/lasso-serverless/lasso/shared/app"
	"github.com/lasso-serverless/lasso/shared/lambdahttp"
	"github.com/lasso-serverless/lasso/shared/rpcclient/providertest"
)

// newFunction is the function's cold start (main's newHandler) with a
// profile whose one provider is p, logging to the test's output.
func newFunction(t *testing.T, p *providertest.Provider) *lambdahttp.Handler {
	t.Helper()
	env := map[string]string{"LASSO_PROFILES_DIR": profileDir(t, p.URL()), "LASSO_NODE_ID": "us-east-1"}
	h, err := newHandler(func(k string) string { return env[k] }, app.Options{LogOutput: t.Output()})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestRecordedEvents replays recorded API Gateway and ALB events through
// the function's handler in front of a scripted provider.
func TestRecordedEvents(t *testing.T) {
	tests := []struct {
		name       string
		file       string
		wantStatus int
		// wantID is the JSON-RPC id the answer must carry ("" for an answer
		// that is not a JSON-RPC result).
		wantID      string
		wantCalls   int               // calls that reached the provider
		wantHeaders map[string]string // exact values; "*" means present
		multiValue  bool              // headers come as multiValueHeaders
		check       func(t *testing.T, r reply)
	}{
		{
			name: "HTTP API POST", file: "apigw-v2-post-rpc.json",
			wantStatus: 200, wantID: "42", wantCalls: 1,
			wantHeaders: map[string]string{
				"Content-Type":                "application/json; charset=utf-8",
				"X-Request-Id":                "client-4f3c2a1b-0e9d-8c7b", // the client's, reused
				"Access-Control-Allow-Origin": "*",
			},
		},
		{
			name: "HTTP API POST, base64 body", file: "apigw-v2-post-rpc-base64.json",
			wantStatus: 200, wantID: `"b64-1"`, wantCalls: 1,
			wantHeaders: map[string]string{"Content-Type": "application/json; charset=utf-8", "X-Request-Id": "client-4f3c2a1b-0e9d-8c7b"},
		},
		{
			name: "REST API POST", file: "apigw-v1-rest-post-rpc.json",
			wantStatus: 200, wantID: "7", wantCalls: 1, multiValue: true,
			wantHeaders: map[string]string{"Content-Type": "application/json; charset=utf-8", "X-Request-Id": "*", "Access-Control-Allow-Origin": "*"},
		},
		{
			name: "ALB POST, multi-value headers", file: "alb-post-rpc-multivalue.json",
			wantStatus: 200, wantID: "9", wantCalls: 1, multiValue: true,
			wantHeaders: map[string]string{
				"Content-Type": "application/json; charset=utf-8", "X-Request-Id": "*", "Access-Control-Allow-Origin": "*",
				"X-Lasso-Meta": "*", // include_meta=headers, asked for in a header
			},
			check: func(t *testing.T, r reply) {
				if r.StatusDescription != "200 OK" {
					t.Errorf("statusDescription: got %q, want \"200 OK\"", r.StatusDescription)
				}
			},
		},
		{
			name: "CORS preflight", file: "apigw-v2-options-preflight.json",
			wantStatus: 204,
			wantHeaders: map[string]string{
				"Access-Control-Allow-Origin":  "*",
				"Access-Control-Allow-Methods": "GET, POST, OPTIONS",
				"Access-Control-Max-Age":       "86400",
				"X-Request-Id":                 "*",
			},
			check: func(t *testing.T, r reply) {
				if r.Body != "" {
					t.Errorf("body: got %q, want none", r.Body)
				}
				if got := r.header("Access-Control-Allow-Headers"); !strings.Contains(got, "X-Request-Id") {
					t.Errorf("Access-Control-Allow-Headers: got %q, want it to allow X-Request-Id", got)
				}
			},
		},
		{
			name: "health", file: "apigw-v2-get-health.json",
			wantStatus:  200,
			wantHeaders: map[string]string{"Content-Type": "application/json; charset=utf-8", "Access-Control-Allow-Origin": "*", "X-Request-Id": "*"},
			check: func(t *testing.T, r reply) {
				var h struct {
					Status string `json:"status"`
					NodeID string `json:"node_id"`
				}
				if err := json.Unmarshal([]byte(r.Body), &h); err != nil || h.Status != "healthy" || h.NodeID != "us-east-1" {
					t.Errorf("body: got %q (%v), want status healthy and node_id us-east-1", r.Body, err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := provider(t)
			h := newFunction(t, p)
			out, err := h.Invoke(context.Background(), event(t, tt.file))
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			r := decodeReply(t, out)
			if r.StatusCode != tt.wantStatus {
				t.Fatalf("status: got %s, want %s; body %q", statusOf(r.StatusCode), statusOf(tt.wantStatus), r.Body)
			}
			if r.IsBase64Encoded {
				t.Errorf("isBase64Encoded: got true, want a text body")
			}
			if tt.multiValue != (r.MultiValueHeaders != nil) || tt.multiValue == (r.Headers != nil) {
				t.Errorf("headers: got single %v and multi-value %v, want multi-value %v", r.Headers, r.MultiValueHeaders, tt.multiValue)
			}
			for name, want := range tt.wantHeaders {
				if got := r.header(name); got == "" || (want != "*" && got != want) {
					t.Errorf("%s: got %q, want %q", name, got, want)
				}
			}
			if tt.wantID != "" {
				rr := r.rpc(t)
				if string(rr.ID) != tt.wantID || string(rr.Result) != `"`+blockNumber+`"` || rr.Error != nil || rr.JSONRPC != "2.0" {
					t.Errorf("body: got %q, want the provider's result %s with id %s", r.Body, blockNumber, tt.wantID)
				}
			}
			if got := p.Count(); got != tt.wantCalls {
				t.Errorf("provider calls: got %d, want %d", got, tt.wantCalls)
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

// TestBodyTooLarge sends a body over the router's 8 MB limit. (API Gateway
// takes up to 10 MB but a synchronous Lambda payload only 6 MB, so on AWS
// such a request is refused before the function runs; the router's own
// limit still has to answer correctly when it does run.)
func TestBodyTooLarge(t *testing.T) {
	p := provider(t)
	h := newFunction(t, p)
	body := `{"jsonrpc":"2.0","id":1,"method":"eth_call","params":[{"data":"0x` + strings.Repeat("00", 4_000_000) + `"},"latest"]}`
	quoted, _ := json.Marshal(body)
	ev := bytes.Replace(event(t, "apigw-v2-post-rpc-too-large.json"), []byte(`"{{BODY}}"`), quoted, 1)
	out, err := h.Invoke(context.Background(), ev)
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	r := decodeReply(t, out)
	if r.StatusCode != 413 {
		t.Fatalf("status: got %s, want 413; body %q", statusOf(r.StatusCode), r.Body)
	}
	if rr := r.rpc(t); rr.Error == nil || rr.Error.Code != -32600 {
		t.Errorf("body: got %q, want a -32600 error", r.Body)
	}
	if r.header("Access-Control-Allow-Origin") != "*" || r.header("X-Request-Id") == "" {
		t.Errorf("headers: got %v, want CORS and X-Request-Id on errors too", r.Headers)
	}
	if p.Count() != 0 {
		t.Errorf("provider calls: got %d, want none", p.Count())
	}
}

// TestMalformedEvents: an event the function cannot read is an invocation
// error (Lambda reports it; API Gateway answers 502), never a panic and
// never a call upstream.
func TestMalformedEvents(t *testing.T) {
	p := provider(t)
	h := newFunction(t, p)
	for _, file := range []string{"malformed-bad-base64.json", "malformed-no-method.json"} {
		t.Run(file, func(t *testing.T) {
			out, err := h.Invoke(context.Background(), event(t, file))
			if err == nil {
				t.Fatalf("got response %s, want an error", out)
			}
			t.Logf("error (as Lambda reports it): %v", err)
		})
	}
	if _, err := h.Invoke(context.Background(), []byte(`{"detail-type":"Scheduled Event"}`)); !errors.Is(err, lambdahttp.ErrNotHTTP) {
		t.Errorf("scheduled event: got %v, want ErrNotHTTP", err)
	}
	if p.Count() != 0 {
		t.Errorf("provider calls: got %d, want none", p.Count())
	}
}

// TestInvocationDeadline: with a provider that never answers, the client
// gets the router's timeout error before the invocation's deadline, the
// margin (200 ms) ahead of it, instead of Lambda's silent stop. eth_call's
// own timeout (5 s) is far beyond the invocation's 1 s, so only the cap
// can end the call in time.
func TestInvocationDeadline(t *testing.T) {
	p := providertest.New(t, providertest.Hang())
	h := newFunction(t, p)
	deadline := time.Now().Add(time.Second)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	out, err := h.Invoke(ctx, lambdatest.WithBody(t, event(t, "apigw-v2-post-rpc.json"), ethCall))
	answered := time.Now()
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	if left := deadline.Sub(answered); left < 100*time.Millisecond || left > 300*time.Millisecond {
		t.Errorf("answered %v before the invocation's deadline, want about the 200 ms margin", left)
	}
	r := decodeReply(t, out)
	rr := r.rpc(t)
	if rr.Error == nil || rr.Error.Code != -32007 || string(rr.ID) != "42" {
		t.Fatalf("got %s %q, want a -32007 timeout with id 42", statusOf(r.StatusCode), r.Body)
	}
	t.Logf("answer %v before the deadline: %s %s", deadline.Sub(answered).Round(time.Millisecond), statusOf(r.StatusCode), r.Body)
}
