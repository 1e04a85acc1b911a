package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/infra/lambdatest"
	"github.com/lasso-serverless/lasso/shared/rpcclient/providertest"
)

// TestBootstrapUnderEmulator runs the real bootstrap, built as `make build`
// builds it but for this machine, under the AWS Lambda Runtime Interface
// Emulator: the Lambda runtime API, the invocation deadline and the init
// phase are the emulator's, not the test's.
func TestBootstrapUnderEmulator(t *testing.T) {
	rie := lambdatest.RIE(t)
	bootstrap := lambdatest.Build(t, "RpcHttpFunction")
	p := provider(t)
	env := []string{
		"LASSO_PROFILES_DIR=" + profileDir(t, p.URL()),
		"LASSO_NODE_ID=rie",
		"AWS_LAMBDA_FUNCTION_NAME=rpc-http",
		"AWS_LAMBDA_FUNCTION_TIMEOUT=3", // seconds: each invocation's deadline
	}
	emu := lambdatest.Start(t, rie, bootstrap, env)

	// Cold: the emulator starts the bootstrap (the init phase) on the
	// first invocation and reports how long the init took.
	r := invokeEmulator(t, emu, event(t, "apigw-v2-post-rpc.json"))
	if rr := r.rpc(t); r.StatusCode != 200 || string(rr.ID) != "42" || string(rr.Result) != `"`+blockNumber+`"` {
		t.Fatalf("cold invocation: got %s %q, want the provider's result with id 42", statusOf(r.StatusCode), r.Body)
	}
	if got := r.header("X-Request-Id"); got != "client-4f3c2a1b-0e9d-8c7b" {
		t.Errorf("X-Request-Id: got %q, want the client's", got)
	}
	// Two figures: the runtime's init phase as rapid logs it (exec of the
	// bootstrap until its first request for work: process start and
	// app.New), and the REPORT line's "Init Duration", which this emulator
	// measures around an asynchronous call and so reports as about 0.
	initLog := emu.WaitOutput(t, lambdatest.InitReport)
	report := emu.WaitOutput(t, lambdatest.ReportLine)
	m := lambdatest.InitDuration.FindStringSubmatch(report)
	if m == nil {
		t.Fatalf("the first invocation's report has no Init Duration: %q", report)
	}
	t.Logf("cold start: init phase %s ms (INIT REPORT); REPORT Init Duration %s ms; first invocation %s",
		lambdatest.InitReport.FindStringSubmatch(initLog)[1], m[1], lambdatest.Duration(report))

	// Warm: the same process answers an ALB event.
	r = invokeEmulator(t, emu, event(t, "alb-post-rpc-multivalue.json"))
	if rr := r.rpc(t); r.StatusCode != 200 || r.StatusDescription != "200 OK" || string(rr.ID) != "9" {
		t.Fatalf("warm invocation: got %s %q %q, want 200 OK with id 9", statusOf(r.StatusCode), r.StatusDescription, r.Body)
	}
	report = emu.WaitOutput(t, lambdatest.ReportLine)
	if lambdatest.InitDuration.MatchString(report) {
		t.Errorf("warm invocation: the report has an init duration, want none (no second cold start): %q", report)
	}
	t.Logf("warm invocation: %s", lambdatest.Duration(report))

	// The version the build stamped is the one health reports.
	r = invokeEmulator(t, emu, event(t, "apigw-v2-get-health.json"))
	var health struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal([]byte(r.Body), &health); err != nil || health.Version != lambdatest.Version {
		t.Errorf("GET /api/health: got %q, want version %q (stamped by make)", r.Body, lambdatest.Version)
	}
	emu.WaitOutput(t, lambdatest.ReportLine)

	// An answer over Lambda's 6 MB, which the emulator enforces as Lambda
	// does, reaches the client as a JSON-RPC error instead of the runtime's
	// "payload size exceeded".
	p.SetBehaviour(providertest.Result(hexResult(7 << 20)))
	r = invokeEmulator(t, emu, event(t, "apigw-v2-post-rpc.json"))
	if rr := r.rpc(t); rr.Error == nil || rr.Error.Code != -32603 || string(rr.ID) != "42" ||
		!strings.Contains(r.Body, "response_too_large") {
		t.Errorf("7 MB answer: got %s %.300q, want a response_too_large error with id 42", statusOf(r.StatusCode), r.Body)
	}
	emu.WaitOutput(t, lambdatest.ReportLine)
	p.SetBehaviour(providertest.Result(`"` + blockNumber + `"`))

	// A malformed event is an invocation error, and the process lives on.
	out, status := emu.Post(t, event(t, "malformed-no-method.json"))
	if !strings.Contains(string(out), "errorMessage") || !strings.Contains(string(out), "not an API Gateway or ALB HTTP event") {
		t.Errorf("malformed event: got HTTP %d %s, want the function's error", status, out)
	}
	emu.WaitOutput(t, lambdatest.ReportLine)

	// The invocation's deadline (3 s) reaches the router: a provider that
	// never answers an eth_call (the router's own timeout for it: 5 s) gets
	// the client a timeout error 200 ms before the deadline, instead of
	// the emulator's "Task timed out".
	p.SetBehaviour(providertest.Hang())
	before := p.Count()
	start := time.Now()
	r = invokeEmulator(t, emu, lambdatest.WithBody(t, event(t, "apigw-v2-post-rpc.json"), ethCall))
	took := time.Since(start)
	if rr := r.rpc(t); rr.Error == nil || rr.Error.Code != -32007 || string(rr.ID) != "42" {
		t.Fatalf("hanging provider: got %s %q after %v, want a -32007 timeout with id 42", statusOf(r.StatusCode), r.Body, took)
	}
	if took < 2500*time.Millisecond || took > 3*time.Second {
		t.Errorf("hanging provider: answered after %v, want about 2.8 s (the 3 s deadline less the margin)", took)
	}
	t.Logf("hanging provider: timeout answered after %v of the 3 s invocation", took.Round(time.Millisecond))
	if c := p.Count() - before; c != 1 {
		t.Errorf("provider calls of the hanging eth_call: got %d, want 1", c)
	}
}

// invokeEmulator sends an event that must succeed to the emulator and
// decodes the function's response.
func invokeEmulator(t *testing.T, emu *lambdatest.Emulator, event []byte) reply {
	t.Helper()
	b, status := emu.Post(t, event)
	if status != http.StatusOK || bytes.Contains(b, []byte(`"errorMessage"`)) {
		t.Fatalf("invoke: HTTP %d %s; output: %s", status, b, emu.Output())
	}
	return decodeReply(t, b)
}
