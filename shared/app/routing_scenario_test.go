package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/rpcclient/providertest"
)

// The routing scenarios of reference section 9 (13 to 23, 26 to 28, 30),
// black-box: HTTP in, app.New's wiring, the real HTTP client, scripted
// providers on loopback. The rig's default strategy is priority, so "a"
// (priority 1) is tried before "b" (priority 2) unless health says
// otherwise. Breakers, evidence and rate limits run on a fake clock.

// Scenario 13: a 503 fails over to the next provider; the metadata counts
// the retry; the 503 counts once toward A's breaker.
func TestScenario13FailoverOn503(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	r := newRigWith(t, rigOptions{clock: clk.Now},
		testProvider{id: "a", priority: 1, behave: serverDown},
		testProvider{id: "b", priority: 2, behave: ok(`"0xb"`)})

	got := r.post("/rpc/ethereum?include_meta=body", blockNumber)
	if res := got.result(t); res != "0xb" {
		t.Fatalf("result %v, want B's 0xb (%s)", res, got.body)
	}
	m := got.lassoMeta(t)
	if m["retries"] != 1.0 || selectedID(m) != "b" {
		t.Errorf("lasso_meta retries %v selected %q, want 1 and b (%v)", m["retries"], selectedID(m), m)
	}
	if c := candidates(m); !sameStrings(c, []string{"a:http", "b:http"}) {
		t.Errorf("candidate_providers %v, want [a:http b:http]", c)
	}

	// The first 503 counted exactly once: requests 2 to 5 still reach A (a
	// double count would open it at the fourth), and the fifth opens it.
	for i := 2; i <= 5; i++ {
		if res := r.post("/rpc/ethereum", blockNumber).result(t); res != "0xb" {
			t.Fatalf("request %d: result %v, want 0xb", i, res)
		}
		if n := r.count("a"); n != i {
			t.Fatalf("after %d requests A received %d, want %d", i, n, i)
		}
	}
	for i := 0; i < 3; i++ {
		got = r.post("/rpc/ethereum?include_meta=body", blockNumber)
		if res := got.result(t); res != "0xb" {
			t.Fatalf("result %v, want 0xb", res)
		}
	}
	if n := r.count("a"); n != 5 {
		t.Errorf("A received %d requests after opening, want 5 in all", n)
	}
	m = got.lassoMeta(t)
	if c := candidates(m); !sameStrings(c, []string{"b:http"}) || m["retries"] != 0.0 {
		t.Errorf("with A open: candidate_providers %v retries %v, want [b:http] and 0", c, m["retries"])
	}
}

// Scenario 14: a revert is the request's own fault: returned unchanged, no
// failover, and A's breaker neither counts it nor resets.
func TestScenario14RevertReturnedUnchanged(t *testing.T) {
	t.Parallel()
	revertCall := call("eth_call", `[{"to":"0x0000000000000000000000000000000000000001","data":"0x8da5cb5b"},"latest"]`)
	shapes := []struct{ name, data string }{
		{"string data", revertData},
		// Member order and a number no float keeps: the object must not be
		// decoded and re-encoded.
		{"object data", `{"reason":"Ownable: caller is not the owner","data":` + revertData + `,"gas":123456789012345678901234567890}`},
		{"no data", ""},
	}
	for _, s := range shapes {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, nil,
				testProvider{id: "a", priority: 1, behave: providertest.RPCError(3, "execution reverted", s.data)},
				testProvider{id: "b", priority: 2, behave: ok(`"0xb"`)})
			got := r.post("/rpc/ethereum", revertCall)
			want := `{"jsonrpc":"2.0","id":1,"error":{"code":3,"message":"execution reverted"}}`
			if s.data != "" {
				want = `{"jsonrpc":"2.0","id":1,"error":{"code":3,"message":"execution reverted","data":` + s.data + `}}`
			}
			if got.status != 200 || string(got.body) != want {
				t.Errorf("got %d %s\nwant 200 %s", got.status, got.body, want)
			}
			if c := r.counts("a", "b"); c[0] != 1 || c[1] != 0 {
				t.Errorf("requests a, b = %v, want [1 0]", c)
			}
		})
	}

	t.Run("breaker unchanged", func(t *testing.T) {
		t.Parallel()
		clk := newFakeClock()
		r := newRigWith(t, rigOptions{clock: clk.Now},
			testProvider{id: "a", priority: 1, behave: providertest.ByMethod(map[string]providertest.Behaviour{
				"eth_call": providertest.RPCError(3, "execution reverted", revertData),
			}, serverDown)},
			testProvider{id: "b", priority: 2, behave: ok(`"0xb"`)})
		// Four counted failures: one short of opening.
		for i := 0; i < 4; i++ {
			r.post("/rpc/ethereum", blockNumber)
		}
		// Ten reverts all reach A (had one counted, A would be open now)...
		for i := 0; i < 10; i++ {
			if code, _ := r.post("/rpc/ethereum", revertCall).errorOf(t); code != 3 {
				t.Fatalf("revert %d: code %d, want 3", i, code)
			}
		}
		if n := r.count("a"); n != 14 {
			t.Fatalf("A received %d requests, want 14: a revert must not count toward its breaker", n)
		}
		for _, m := range r.provider["b"].Methods() {
			if m == "eth_call" {
				t.Fatal("B received eth_call: a revert must not fail over")
			}
		}
		// ... and did not reset the count either: one more 503 opens A.
		r.post("/rpc/ethereum", blockNumber)
		if res := r.post("/rpc/ethereum", revertCall).result(t); res != "0xb" {
			t.Errorf("with A open eth_call got %v, want B's 0xb", res)
		}
		if n := r.count("a"); n != 15 {
			t.Errorf("A received %d requests, want 15: four 503s, ten reverts and one 503 must open it", n)
		}
	})
}

// Scenario 15: invalid params come back without failover; "header not
// found" fails over and penalises nobody.
func TestScenario15InvalidParamsAndHeaderNotFound(t *testing.T) {
	t.Parallel()
	t.Run("invalid params returned", func(t *testing.T) {
		t.Parallel()
		for _, msg := range []string{
			"invalid argument 0: hex string without 0x prefix",
			"missing value for required argument 1",
			"invalid params", // no pattern: the code decides
		} {
			r := newRig(t, nil,
				testProvider{id: "a", priority: 1, behave: providertest.RPCError(-32602, msg, "")},
				testProvider{id: "b", priority: 2, behave: ok(`"0xb"`)})
			got := r.post("/rpc/ethereum", call("eth_getBalance", `["0x1","latest"]`))
			want := `{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"` + msg + `"}}`
			if string(got.body) != want {
				t.Errorf("%q: got %s, want %s", msg, got.body, want)
			}
			if c := r.counts("a", "b"); c[0] != 1 || c[1] != 0 {
				t.Errorf("%q: requests a, b = %v, want [1 0]", msg, c)
			}
		}
	})
	t.Run("header not found fails over without penalty", func(t *testing.T) {
		t.Parallel()
		clk := newFakeClock()
		r := newRigWith(t, rigOptions{clock: clk.Now},
			testProvider{id: "a", priority: 1, behave: headerNotFound},
			testProvider{id: "b", priority: 2, behave: ok(`{"number":"0x10"}`)})
		body := call("eth_getBlockByNumber", `["0x10",false]`)
		for i := 1; i <= 10; i++ {
			got := r.post("/rpc/ethereum", body)
			if string(got.body) != `{"jsonrpc":"2.0","id":1,"result":{"number":"0x10"}}` {
				t.Fatalf("request %d: got %s, want B's block", i, got.body)
			}
			if c := r.counts("a", "b"); c[0] != i || c[1] != i {
				t.Fatalf("after %d requests a, b received %v: A must be tried every time", i, c)
			}
		}
		r.provider["a"].SetBehaviour(ok(`{"number":"0x10","from":"a"}`))
		got := r.post("/rpc/ethereum?include_meta=body", body)
		if m := got.lassoMeta(t); selectedID(m) != "a" || m["circuit_breaker_state"] != "closed" {
			t.Errorf("after ten block_not_available answers: selected %q breaker %v, want a and closed", selectedID(m), m["circuit_breaker_state"])
		}
	})
}

// Scenario 16: rate limits fail over without penalty and push the provider
// behind the others while they last; a raw 429 from everyone becomes -32005.
func TestScenario16RateLimit(t *testing.T) {
	t.Parallel()
	t.Run("JSON-RPC -32005", func(t *testing.T) {
		t.Parallel()
		clk := newFakeClock()
		r := newRigWith(t, rigOptions{clock: clk.Now},
			testProvider{id: "a", priority: 1, behave: rateLimited},
			testProvider{id: "b", priority: 2, behave: ok(`"0xb"`)})
		a := r.provider["a"]
		// Ten rate limits, each after the last one's 30 s: every one reaches A
		// and fails over to B.
		for i := 1; i <= 10; i++ {
			if res := r.post("/rpc/ethereum", blockNumber).result(t); res != "0xb" {
				t.Fatalf("request %d: result %v, want B's 0xb", i, res)
			}
			if n := a.Count(); n != i {
				t.Fatalf("after %d requests A received %d: a rate limit must not open its breaker", i, n)
			}
			clk.Advance(31 * time.Second)
		}
		a.SetBehaviour(ok(`"0xa"`))
		got := r.post("/rpc/ethereum?include_meta=body", blockNumber)
		if m := got.lassoMeta(t); selectedID(m) != "a" || m["circuit_breaker_state"] != "closed" {
			t.Fatalf("after ten rate limits: selected %q breaker %v, want a and closed (%s)", selectedID(m), m["circuit_breaker_state"], got.body)
		}

		// One more rate limit: A goes behind B for 30 s of the clock.
		a.SetBehaviour(rateLimited)
		r.post("/rpc/ethereum", blockNumber)
		a.SetBehaviour(ok(`"0xa"`))
		before := a.Count()
		for _, step := range []time.Duration{0, 15 * time.Second, 14 * time.Second} {
			clk.Advance(step)
			got := r.post("/rpc/ethereum?include_meta=body", blockNumber)
			m := got.lassoMeta(t)
			if selectedID(m) != "b" || !sameStrings(candidates(m), []string{"b:http", "a:http"}) {
				t.Errorf("within 30 s of the rate limit: selected %q candidates %v, want b first, then a", selectedID(m), candidates(m))
			}
		}
		if n := a.Count(); n != before {
			t.Errorf("A received %d requests while rate-limited and B healthy, want 0", n-before)
		}
		clk.Advance(time.Second + time.Millisecond) // 30.001 s after
		got = r.post("/rpc/ethereum?include_meta=body", blockNumber)
		if m := got.lassoMeta(t); selectedID(m) != "a" || !sameStrings(candidates(m), []string{"a:http", "b:http"}) {
			t.Errorf("after 30 s: selected %q candidates %v, want a first again", selectedID(m), candidates(m))
		}
	})

	t.Run("HTTP 429 from every provider", func(t *testing.T) {
		t.Parallel()
		for _, tt := range []struct {
			retryAfter, want string
		}{
			{"", `{"jsonrpc":"2.0","id":1,"error":{"code":-32005,"message":"Rate limited by provider"}}`},
			{"7", `{"jsonrpc":"2.0","id":1,"error":{"code":-32005,"message":"Rate limited by provider","data":{"retry_after_ms":7000}}}`},
		} {
			clk := newFakeClock()
			a, b := newRawUpstream(t, tooManyRequests(tt.retryAfter)), newRawUpstream(t, tooManyRequests(tt.retryAfter))
			r := newRigWith(t, rigOptions{clock: clk.Now},
				testProvider{id: "a", priority: 1, url: a.URL()},
				testProvider{id: "b", priority: 2, url: b.URL()})
			// Seven in a row: had a 429 counted as a server error, both
			// breakers would open at the fifth.
			for i := 1; i <= 7; i++ {
				got := r.post("/rpc/ethereum", blockNumber)
				if got.status != 200 || string(got.body) != tt.want {
					t.Fatalf("Retry-After %q, request %d: got %d %s, want 200 %s", tt.retryAfter, i, got.status, got.body, tt.want)
				}
			}
			if a.Count() != 7 || b.Count() != 7 {
				t.Errorf("Retry-After %q: a, b received %d, %d, want 7 each: a 429 never opens a breaker", tt.retryAfter, a.Count(), b.Count())
			}
		}
	})

	t.Run("HTTP 429 Retry-After sets how long A waits", func(t *testing.T) {
		t.Parallel()
		clk := newFakeClock()
		var limited atomic.Bool
		limited.Store(true)
		a := newRawUpstream(t, func(w http.ResponseWriter, req *http.Request) {
			if limited.Load() {
				tooManyRequests("7")(w, req)
				return
			}
			body, _ := io.ReadAll(req.Body)
			var in struct{ ID json.RawMessage }
			_ = json.Unmarshal(body, &in)
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"jsonrpc":"2.0","id":` + string(in.ID) + `,"result":"0xa"}`))
		})
		r := newRigWith(t, rigOptions{clock: clk.Now},
			testProvider{id: "a", priority: 1, url: a.URL()},
			testProvider{id: "b", priority: 2, behave: ok(`"0xb"`)})
		if res := r.post("/rpc/ethereum", blockNumber).result(t); res != "0xb" {
			t.Fatalf("result %v, want B's 0xb", res)
		}
		limited.Store(false)
		clk.Advance(6 * time.Second)
		if res := r.post("/rpc/ethereum", blockNumber).result(t); res != "0xb" || a.Count() != 1 {
			t.Errorf("6 s into Retry-After 7: result %v, A received %d, want 0xb and 1", res, a.Count())
		}
		clk.Advance(time.Second + time.Millisecond)
		if res := r.post("/rpc/ethereum", blockNumber).result(t); res != "0xa" {
			t.Errorf("after Retry-After 7 passed: result %v, want A's 0xa", res)
		}
	})
}

// Scenario 17: the breaker's life through the front door: open after five
// 503s, half-open after 60 s (+ at most 5 % jitter) and then tried only
// when closed providers fail, closed by two good trials, re-opened by a bad
// one for 120 s, then 240 s.
func TestScenario17BreakerLifecycle(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	r := newRigWith(t, rigOptions{clock: clk.Now},
		testProvider{id: "a", priority: 1, behave: serverDown},
		testProvider{id: "b", priority: 2, behave: ok(`"0xb"`)})
	a, b := r.provider["a"], r.provider["b"]
	post := func() (reply, map[string]any) {
		t.Helper()
		got := r.post("/rpc/ethereum?include_meta=body", blockNumber)
		return got, got.lassoMeta(t)
	}
	wantA := func(step string, n int) {
		t.Helper()
		if got := a.Count(); got != n {
			t.Fatalf("%s: A received %d requests in all, want %d", step, got, n)
		}
	}

	for i := 0; i < 5; i++ {
		post()
	}
	wantA("five 503s", 5)
	for i := 0; i < 3; i++ {
		if got, _ := post(); got.result(t) != "0xb" {
			t.Fatalf("with A open: %s, want B's answer", got.body)
		}
	}
	wantA("open, B healthy", 5)
	// While open A is left out even when B fails.
	b.SetBehaviour(headerNotFound)
	clk.Advance(59 * time.Second)
	if got, _ := post(); !strings.Contains(string(got.body), "header not found") {
		t.Errorf("59 s after opening, B failing: got %s, want B's error", got.body)
	}
	wantA("open at +59 s, B failing", 5)

	// +64 s (60 s + at most 3 s of jitter): half-open, ranked after B.
	clk.Advance(5 * time.Second)
	b.SetBehaviour(ok(`"0xb"`))
	a.SetBehaviour(ok(`"0xa"`))
	_, m := post()
	if selectedID(m) != "b" || !sameStrings(candidates(m), []string{"b:http", "a:http"}) {
		t.Errorf("half-open, B healthy: selected %q candidates %v, want b, then a", selectedID(m), candidates(m))
	}
	wantA("half-open, B healthy", 5)
	// B fails: A's trial. Two good trials close it.
	b.SetBehaviour(headerNotFound)
	for trial := 1; trial <= 2; trial++ {
		got, m := post()
		if got.result(t) != "0xa" || selectedID(m) != "a" || m["circuit_breaker_state"] != "half_open" || m["retries"] != 1.0 {
			t.Errorf("trial %d: %s, want A's answer from a half_open breaker after one retry", trial, got.body)
		}
	}
	wantA("two trials", 7)
	b.SetBehaviour(ok(`"0xb"`))
	if got, m := post(); selectedID(m) != "a" || m["circuit_breaker_state"] != "closed" {
		t.Errorf("after two good trials: %s, want A first with its breaker closed", got.body)
	}
	wantA("closed again", 8)

	// Open again, then a failed trial re-opens it for 120 s (+ up to 6 s).
	a.SetBehaviour(serverDown)
	for i := 0; i < 5; i++ {
		post()
	}
	wantA("five more 503s", 13)
	clk.Advance(64 * time.Second)
	b.SetBehaviour(headerNotFound)
	post() // A's trial: another 503
	wantA("failed trial", 14)
	clk.Advance(119 * time.Second)
	post()
	wantA("119 s after the failed trial", 14)
	clk.Advance(8 * time.Second) // 127 s
	post()                       // trial, fails again: 240 s (+ up to 12 s)
	wantA("127 s after the failed trial", 15)
	clk.Advance(239 * time.Second)
	post()
	wantA("239 s after the second failed trial", 15)
	clk.Advance(14 * time.Second) // 253 s
	a.SetBehaviour(ok(`"0xa"`))
	if got, _ := post(); got.result(t) != "0xa" {
		t.Errorf("253 s after the second failed trial: %s, want A's trial answer", got.body)
	}
	wantA("253 s after the second failed trial", 16)
}

// Scenario 17: a half-open breaker admits one trial at a time.
func TestScenario17HalfOpenSingleTrial(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	r := newRigWith(t, rigOptions{clock: clk.Now},
		testProvider{id: "a", priority: 1, behave: serverDown},
		testProvider{id: "b", priority: 2, behave: ok(`"0xb"`)})
	a := r.provider["a"]
	for i := 0; i < 5; i++ {
		r.post("/rpc/ethereum", blockNumber)
	}
	clk.Advance(64 * time.Second)
	g := newGate(ok(`"0xa"`))
	a.SetBehaviour(g.behave)
	r.provider["b"].SetBehaviour(headerNotFound)

	first := make(chan reply, 1)
	go func() { first <- r.post("/rpc/ethereum", blockNumber) }()
	t.Cleanup(g.open)
	waitFor(t, g.started, "A's trial")
	// The trial is in flight: a second request skips A.
	second := r.post("/rpc/ethereum", blockNumber)
	g.open()
	if !strings.Contains(string(second.body), "header not found") {
		t.Errorf("second request while a trial is in flight: %s, want B's error", second.body)
	}
	if got := <-first; string(got.body) != `{"jsonrpc":"2.0","id":1,"result":"0xa"}` {
		t.Errorf("the trial's request: %s, want A's answer", got.body)
	}
	if n := a.Count(); n != 6 {
		t.Errorf("A received %d requests, want 6: five 503s and one trial", n)
	}
}

// Scenario 17: a trial that times out says nothing against the provider but
// ends the trial, so the next request may try again.
func TestScenario17TrialTimeoutReleasesTrial(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	r := newRigWith(t, rigOptions{clock: clk.Now},
		testProvider{id: "a", priority: 1, behave: serverDown},
		testProvider{id: "b", priority: 2, behave: ok(`"0xb"`)})
	a := r.provider["a"]
	for i := 0; i < 5; i++ {
		r.post("/rpc/ethereum", blockNumber)
	}
	clk.Advance(64 * time.Second)
	a.SetBehaviour(providertest.Hang())
	r.provider["b"].SetBehaviour(headerNotFound)
	// B fails at once; A's trial gets the rest of the second and hangs.
	if code, msg := r.post("/rpc/ethereum", blockNumber).errorOf(t); code != -32007 {
		t.Fatalf("hanging trial: %d %s, want -32007", code, msg)
	}
	a.SetBehaviour(ok(`"0xa"`))
	got := r.post("/rpc/ethereum", blockNumber)
	if string(got.body) != `{"jsonrpc":"2.0","id":1,"result":"0xa"}` || a.Count() != 7 {
		t.Errorf("after the timed-out trial: %s, A received %d; want a new trial answered by A (7 requests)", got.body, a.Count())
	}
	if strings.Contains(r.logs.String(), "breaker record failed") {
		t.Errorf("an attempt's outcome was lost: the log says \"breaker record failed\"")
	}
}

// Scenario 18: network failures open a breaker after three; timeouts fail
// over but never count.
func TestScenario18NetworkErrorsAndTimeouts(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		a    func(t *testing.T) (url string, count func() int)
	}{
		{"connection refused", func(t *testing.T) (string, func() int) {
			p := providertest.New(t, ok(`"0xa"`))
			p.Close()
			return p.URL(), func() int { return -1 }
		}},
		{"connection dropped after the request", func(t *testing.T) (string, func() int) {
			u := newRawUpstream(t, dropConnection)
			return u.URL(), func() int { return int(u.Count()) }
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := newFakeClock()
			url, count := tt.a(t)
			r := newRigWith(t, rigOptions{clock: clk.Now},
				testProvider{id: "a", priority: 1, url: url},
				testProvider{id: "b", priority: 2, behave: ok(`"0xb"`)})
			for i := 1; i <= 5; i++ {
				got := r.post("/rpc/ethereum?include_meta=body", blockNumber)
				if res := got.result(t); res != "0xb" {
					t.Fatalf("request %d: %s, want B's answer", i, got.body)
				}
				want := []string{"a:http", "b:http"}
				if i > 3 {
					want = []string{"b:http"}
				}
				if c := candidates(got.lassoMeta(t)); !sameStrings(c, want) {
					t.Errorf("request %d: candidates %v, want %v (open after three network errors)", i, c, want)
				}
			}
			if n := count(); n >= 0 && n != 3 {
				t.Errorf("A received %d requests, want 3", n)
			}
		})
	}
	t.Run("timeouts", func(t *testing.T) {
		t.Parallel()
		clk := newFakeClock()
		r := newRigWith(t, rigOptions{clock: clk.Now},
			testProvider{id: "a", priority: 1, behave: providertest.Hang()},
			testProvider{id: "b", priority: 2, behave: ok(`"0xb"`)})
		// Timeouts have a threshold of 2 in the table; three in a row
		// would open A if they counted.
		for i := 1; i <= 3; i++ {
			if got := r.post("/rpc/ethereum", blockNumber); string(got.body) != `{"jsonrpc":"2.0","id":1,"result":"0xb"}` {
				t.Fatalf("request %d: %s, want B's answer", i, got.body)
			}
		}
		if n := r.count("a"); n != 3 {
			t.Errorf("A received %d requests, want 3: timeouts never open the breaker", n)
		}
	})
}

// Scenario 19: every breaker open: HTTP 200, -32000 with when to retry.
func TestScenario19AllCircuitsOpen(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	r := newRigWith(t, rigOptions{clock: clk.Now},
		testProvider{id: "a", priority: 1, behave: serverDown},
		testProvider{id: "b", priority: 2, behave: serverDown})
	for i := 0; i < 5; i++ {
		r.post("/rpc/ethereum", blockNumber)
	}
	check := func(wantMin, wantMax int64) {
		t.Helper()
		got := r.post("/rpc/ethereum", `{"jsonrpc":"2.0","id":"client-19","method":"eth_blockNumber","params":[]}`)
		obj := got.object(t)
		if got.status != 200 || obj["id"] != "client-19" {
			t.Fatalf("got %d %s, want 200 with the client's id", got.status, got.body)
		}
		e := got.rpcErr(t)
		msg, _ := e["message"].(string)
		const prefix = "No available channels for method: eth_blockNumber. All circuits open, retry after "
		if e["code"] != -32000.0 || !strings.HasPrefix(msg, prefix) {
			t.Fatalf("error %v, want -32000 %q...", e, prefix)
		}
		data, _ := e["data"].(map[string]any)
		ms, isNum := data["retry_after_ms"].(float64)
		if len(data) != 1 || !isNum || ms != float64(int64(ms)) || int64(ms) < wantMin || int64(ms) > wantMax {
			t.Errorf("data %v, want only retry_after_ms, an integer in [%d, %d]", e["data"], wantMin, wantMax)
		}
		// "retry after Ns": the wait rounded up to whole seconds (the
		// milliseconds are rounded down, so allow the second above too).
		secs, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(msg, prefix), "s"), 10, 64)
		if err != nil || !strings.HasSuffix(msg, "s") || secs*1000 < int64(ms) || (secs-1)*1000 > int64(ms) {
			t.Errorf("message %q does not round retry_after_ms %v up to seconds", msg, ms)
		}
	}
	check(60_000, 63_000)
	clk.Advance(30 * time.Second)
	check(30_000, 33_000)
	if c := r.counts("a", "b"); c[0] != 5 || c[1] != 5 {
		t.Errorf("requests a, b = %v, want [5 5]: open breakers get nothing", c)
	}
	// Due again: the call goes out.
	clk.Advance(34 * time.Second)
	r.provider["a"].SetBehaviour(ok(`"0xa"`))
	if res := r.post("/rpc/ethereum", blockNumber).result(t); res != "0xa" {
		t.Errorf("after the breakers are due: %v, want A's trial answer", res)
	}
}

// Scenario 20: a replay-safe call's first attempt gets 60 % of the method's
// budget, so a hanging provider leaves time for the next.
func TestScenario20TimeoutBudget(t *testing.T) {
	t.Parallel()
	hang, good := providertest.Hang(), ok(`"0xb"`)
	for _, tt := range []struct {
		name     string
		behave   []providertest.Behaviour
		want     string
		min, max time.Duration // loose: deadlines never fire early; the upper bounds only catch a missing cut
		counts   []int
	}{
		{"one hangs, the next answers", []providertest.Behaviour{hang, good},
			`{"jsonrpc":"2.0","id":1,"result":"0xb"}`, 590 * time.Millisecond, 1300 * time.Millisecond, []int{1, 1}},
		{"both hang", []providertest.Behaviour{hang, hang},
			`{"jsonrpc":"2.0","id":1,"error":{"code":-32007,"message":"Request timeout"}}`, 990 * time.Millisecond, 1600 * time.Millisecond, []int{1, 1}},
		{"three hang", []providertest.Behaviour{hang, hang, hang},
			`{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"Request deadline exhausted"}}`, 990 * time.Millisecond, 1600 * time.Millisecond, []int{1, 1, 0}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ids := []string{"a", "b", "c"}[:len(tt.behave)]
			var ps []testProvider
			for i, b := range tt.behave {
				ps = append(ps, testProvider{id: ids[i], priority: i + 1, behave: b})
			}
			r := newRig(t, nil, ps...)
			start := time.Now()
			got := r.post("/rpc/ethereum", blockNumber)
			took := time.Since(start)
			if got.status != 200 || string(got.body) != tt.want {
				t.Errorf("got %d %s, want 200 %s", got.status, got.body, tt.want)
			}
			if took < tt.min || took > tt.max {
				t.Errorf("took %v, want between %v and %v", took, tt.min, tt.max)
			}
			if c := r.counts(ids...); !slices.Equal(c, tt.counts) {
				t.Errorf("requests %v = %v, want %v", ids, c, tt.counts)
			}
		})
	}
}

// Scenario 21: a raw transaction is sent at most once once it may have left;
// replay-safe reads stop after three dispatches.
func TestScenario21DispatchBudget(t *testing.T) {
	t.Parallel()
	const indeterminate = `{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"Upstream dispatch outcome is indeterminate"}}`
	sendRaw := call("eth_sendRawTransaction", `["0x02f86b0180843b9aca00850c92a69c0082520894000000000000000000000000000000000000000180c001a0"]`)

	t.Run("raw transaction, A times out after the send", func(t *testing.T) {
		t.Parallel()
		r := newRig(t, nil,
			testProvider{id: "a", priority: 1, behave: providertest.Hang()},
			testProvider{id: "b", priority: 2, behave: ok(`"0xhash"`)})
		// eth_sendRawTransaction's own budget is 10 s; the caller's
		// deadline (reference 3.1: the call's deadline is the earlier of
		// the two) keeps the test short and ends the attempt the same way.
		ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
		defer cancel()
		req := httptest.NewRequest(http.MethodPost, "/rpc/ethereum", strings.NewReader(sendRaw)).WithContext(ctx)
		req.Header.Set("Content-Type", "application/json")
		got := r.do(req)
		if got.status != 200 || string(got.body) != indeterminate {
			t.Errorf("got %d %s, want 200 %s", got.status, got.body, indeterminate)
		}
		if c := r.counts("a", "b"); c[0] != 1 || c[1] != 0 {
			t.Errorf("requests a, b = %v, want [1 0]", c)
		}
	})
	t.Run("raw transaction, connection dropped after the send", func(t *testing.T) {
		t.Parallel()
		a := newRawUpstream(t, dropConnection)
		r := newRig(t, nil,
			testProvider{id: "a", priority: 1, url: a.URL()},
			testProvider{id: "b", priority: 2, behave: ok(`"0xhash"`)})
		got := r.post("/rpc/ethereum", sendRaw)
		if string(got.body) != indeterminate || a.Count() != 1 || r.count("b") != 0 {
			t.Errorf("got %s, a %d b %d; want %s, 1 and 0", got.body, a.Count(), r.count("b"), indeterminate)
		}
	})
	t.Run("raw transaction never sent goes on", func(t *testing.T) {
		t.Parallel()
		a := providertest.New(t, ok(`"0xa"`))
		a.Close()
		r := newRig(t, nil,
			testProvider{id: "a", priority: 1, url: a.URL()},
			testProvider{id: "b", priority: 2, behave: ok(`"0xhash"`)})
		if got := r.post("/rpc/ethereum", sendRaw); string(got.body) != `{"jsonrpc":"2.0","id":1,"result":"0xhash"}` {
			t.Errorf("connection refused by A: %s, want B's answer (nothing reached A)", got.body)
		}
	})
	for _, tt := range []struct {
		name   string
		behave providertest.Behaviour
		want   string
	}{
		{"503", serverDown, `{"jsonrpc":"2.0","id":1,"error":{"code":-32002,"message":"Server error","data":{"status":503}}}`},
		{"header not found", headerNotFound, `{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"header not found"}}`},
	} {
		t.Run("replay-safe read, five providers, "+tt.name, func(t *testing.T) {
			t.Parallel()
			ids := []string{"a", "b", "c", "d", "e"}
			var ps []testProvider
			for i, id := range ids {
				ps = append(ps, testProvider{id: id, priority: i + 1, behave: tt.behave})
			}
			r := newRig(t, nil, ps...)
			got := r.post("/rpc/ethereum", call("eth_getBalance", `["0x0000000000000000000000000000000000000001","latest"]`))
			if string(got.body) != tt.want {
				t.Errorf("got %s, want %s", got.body, tt.want)
			}
			if c := r.counts(ids...); !slices.Equal(c, []int{1, 1, 1, 0, 0}) {
				t.Errorf("requests %v = %v, want three dispatches [1 1 1 0 0]", ids, c)
			}
		})
	}
}

// Scenario 22: a provider that does not serve a method is passed over while
// another does; when none does, it is tried anyway.
func TestScenario22UnsupportedMethods(t *testing.T) {
	t.Parallel()
	const unsupported = "        capabilities: {unsupported_methods: [eth_call]}\n"
	ethCall := call("eth_call", `[{"to":"0x0000000000000000000000000000000000000001"},"latest"]`)
	for _, tt := range []struct {
		name             string
		extraA, extraB   string
		wantCallOn       string
		wantCandidates   []string
		wantOtherMethodA bool
	}{
		{"another provider serves it", unsupported, "", "b", []string{"b:http"}, true},
		{"nobody serves it", unsupported, unsupported, "a", []string{"a:http", "b:http"}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, nil,
				testProvider{id: "a", priority: 1, behave: ok(`"0xa"`), extra: tt.extraA},
				testProvider{id: "b", priority: 2, behave: ok(`"0xb"`), extra: tt.extraB})
			for i := 0; i < 3; i++ {
				got := r.post("/rpc/ethereum?include_meta=body", ethCall)
				m := got.lassoMeta(t)
				if selectedID(m) != tt.wantCallOn || !sameStrings(candidates(m), tt.wantCandidates) {
					t.Errorf("eth_call: selected %q candidates %v, want %s and %v", selectedID(m), candidates(m), tt.wantCallOn, tt.wantCandidates)
				}
			}
			other := map[string]string{"a": "b", "b": "a"}[tt.wantCallOn]
			for _, m := range r.provider[other].Methods() {
				if m == "eth_call" {
					t.Errorf("provider %s received eth_call", other)
				}
			}
			if res := r.post("/rpc/ethereum", blockNumber).result(t); res != "0xa" {
				t.Errorf("eth_blockNumber went to %v, want a: the capability only concerns eth_call", res)
			}
		})
	}
}

// Scenario 23: max_block_range passes a provider over for a wider
// eth_getLogs; when every provider has the limit, the call still goes.
func TestScenario23MaxBlockRange(t *testing.T) {
	t.Parallel()
	const limit = "        capabilities: {limits: {max_block_range: 1000}}\n"
	logs := func(from, to string) string {
		return call("eth_getLogs", `[{"fromBlock":"`+from+`","toBlock":"`+to+`","address":"0x0000000000000000000000000000000000000001"}]`)
	}
	for _, tt := range []struct {
		name           string
		extraB         string
		body           string
		want           string
		wantCandidates []string
		wantRetries    float64
	}{
		{"4096 blocks skip the limited provider", "", logs("0x0", "0x1000"), "b", []string{"b:http"}, 1},
		{"1001 blocks skip it", "", logs("0x0", "0x3e9"), "b", []string{"b:http"}, 1},
		{"1000 blocks are within", "", logs("0x0", "0x3e8"), "a", []string{"a:http", "b:http"}, 0},
		{"a block hash is not a range", "", call("eth_getLogs", `[{"blockHash":"0x00000000000000000000000000000000000000000000000000000000000000aa"}]`), "a", []string{"a:http", "b:http"}, 0},
		{"every provider limited: still sent", limit, logs("0x0", "0x1000"), "a", []string{"a:http", "b:http"}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, nil,
				testProvider{id: "a", priority: 1, behave: ok(`[]`), extra: limit},
				testProvider{id: "b", priority: 2, behave: ok(`[]`), extra: tt.extraB})
			got := r.post("/rpc/ethereum?include_meta=body", tt.body)
			m := got.lassoMeta(t)
			if selectedID(m) != tt.want || !sameStrings(candidates(m), tt.wantCandidates) || m["retries"] != tt.wantRetries {
				t.Errorf("selected %q candidates %v retries %v, want %s, %v and %v (%s)",
					selectedID(m), candidates(m), m["retries"], tt.want, tt.wantCandidates, tt.wantRetries, got.body)
			}
			if got.result(t) == nil {
				t.Errorf("no result: %s", got.body)
			}
		})
	}
}

// Scenario 26: fastest ranks by the upstream latency client traffic showed.
func TestScenario26Fastest(t *testing.T) {
	t.Parallel()
	t.Run("no evidence: by provider id", func(t *testing.T) {
		t.Parallel()
		// File order and priority both say b.
		r := newRig(t, nil,
			testProvider{id: "b", priority: 1, behave: ok(`"0xb"`)},
			testProvider{id: "a", priority: 2, behave: ok(`"0xa"`)})
		got := r.post("/rpc/fastest/ethereum?include_meta=body", blockNumber)
		m := got.lassoMeta(t)
		if selectedID(m) != "a" || !sameStrings(candidates(m), []string{"a:http", "b:http"}) || m["strategy"] != "fastest" {
			t.Errorf("selected %q candidates %v strategy %v, want a, [a:http b:http], fastest", selectedID(m), candidates(m), m["strategy"])
		}
	})
	t.Run("lower latency first, until it fails three times", func(t *testing.T) {
		t.Parallel()
		slow := func(rc providertest.Received) (int, []byte) {
			<-time.After(40 * time.Millisecond) // the provider is slow, not the test
			return ok(`"0xa"`)(rc)
		}
		// a is slow and first by id and priority.
		r := newRig(t, nil,
			testProvider{id: "a", priority: 1, behave: slow},
			testProvider{id: "b", priority: 2, behave: ok(`"0xb"`)})
		for i := 0; i < 5; i++ {
			r.post("/rpc/provider/a/ethereum", blockNumber)
			r.post("/rpc/provider/b/ethereum", blockNumber)
		}
		aBefore := r.count("a")
		for i := 0; i < 5; i++ {
			got := r.post("/rpc/fastest/ethereum?include_meta=body", blockNumber)
			m := got.lassoMeta(t)
			if selectedID(m) != "b" || !sameStrings(candidates(m), []string{"b:http", "a:http"}) {
				t.Errorf("call %d: selected %q candidates %v, want the faster b first", i, selectedID(m), candidates(m))
			}
		}
		if n := r.count("a") - aBefore; n != 0 {
			t.Errorf("the slower a received %d of the fastest calls, want 0", n)
		}
		// b fails: qualified through two consecutive failures, not three.
		r.provider["b"].SetBehaviour(serverDown)
		bBefore := r.count("b")
		for i := 0; i < 4; i++ {
			if res := r.post("/rpc/fastest/ethereum", blockNumber).result(t); res != "0xa" {
				t.Fatalf("call %d with b failing: %v, want a's answer", i, res)
			}
		}
		if n := r.count("b") - bBefore; n != 3 {
			t.Errorf("b received %d calls while failing, want 3: it loses qualification at the third failure in a row", n)
		}
	})
}

// Scenario 27 (the distribution itself is tested in routing): every strategy
// route routes, answers and names its strategy.
func TestScenario27StrategyRoutes(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil,
		testProvider{id: "a", priority: 1, behave: ok(`"0x10"`)},
		testProvider{id: "b", priority: 2, behave: ok(`"0x10"`)})
	for _, tt := range []struct{ path, strategy string }{
		{"/rpc/ethereum", "priority"}, // the rig's default
		{"/rpc/latency-weighted/ethereum", "latency_weighted"},
		{"/rpc/profile/public/latency-weighted/ethereum", "latency_weighted"},
		{"/rpc/fastest/ethereum", "fastest"},
		{"/rpc/load-balanced/ethereum", "load_balanced"},
		{"/rpc/round-robin/ethereum", "load_balanced"},
	} {
		for i := 0; i < 5; i++ {
			got := r.post(tt.path+"?include_meta=body", blockNumber)
			if got.status != 200 || got.result(t) != "0x10" {
				t.Fatalf("%s: got %d %s", tt.path, got.status, got.body)
			}
			m := got.lassoMeta(t)
			if m["strategy"] != tt.strategy || len(candidates(m)) != 2 {
				t.Errorf("%s: strategy %v candidates %v, want %s and both providers", tt.path, m["strategy"], candidates(m), tt.strategy)
			}
		}
	}
}

// Scenario 28: a closed but rate-limited provider ranks after a half-open
// one, whatever the strategy says.
func TestScenario28Tiering(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	r := newRigWith(t, rigOptions{clock: clk.Now},
		testProvider{id: "a", priority: 1, behave: headerNotFound},
		testProvider{id: "b", priority: 2, behave: serverDown})
	a := r.provider["a"]
	// A passes (no penalty) and B fails five times: B open at t0.
	for i := 0; i < 5; i++ {
		r.post("/rpc/ethereum", blockNumber)
	}
	if c := r.counts("a", "b"); c[0] != 5 || c[1] != 5 {
		t.Fatalf("requests a, b = %v, want [5 5]", c)
	}
	// t0+50 s: A rate-limited until t0+80 s; B still open.
	clk.Advance(50 * time.Second)
	a.SetBehaviour(rateLimited)
	if code, _ := r.post("/rpc/ethereum", blockNumber).errorOf(t); code != -32005 {
		t.Fatalf("A rate-limited, B open: code %d, want A's -32005", code)
	}
	// t0+64 s: B half-open (due by t0+63 s), A closed and rate-limited.
	clk.Advance(14 * time.Second)
	a.SetBehaviour(ok(`"0xa"`))
	r.provider["b"].SetBehaviour(ok(`"0xb"`))
	before := a.Count()
	for _, path := range []string{"/rpc/ethereum", "/rpc/fastest/ethereum"} {
		got := r.post(path+"?include_meta=body", blockNumber)
		m := got.lassoMeta(t)
		if selectedID(m) != "b" || m["circuit_breaker_state"] != "half_open" || !sameStrings(candidates(m), []string{"b:http", "a:http"}) {
			t.Errorf("%s: selected %q (%v) candidates %v, want half-open b before rate-limited a", path, selectedID(m), m["circuit_breaker_state"], candidates(m))
		}
	}
	if n := a.Count() - before; n != 0 {
		t.Errorf("A received %d requests, want 0", n)
	}
	// t0+81 s: A's rate limit is over, and priority puts it first again.
	clk.Advance(17 * time.Second)
	if m := r.post("/rpc/ethereum?include_meta=body", blockNumber).lassoMeta(t); selectedID(m) != "a" {
		t.Errorf("after the rate limit: selected %q, want a", selectedID(m))
	}
}

// Scenario 30 (extends TestScenarioOverride): a named provider's JSON-RPC
// error is the answer, even one that would fail over without the override.
func TestScenario30OverrideNoFailoverOnRPCErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		behave providertest.Behaviour
		want   string
	}{
		{"block not available", headerNotFound, `{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"header not found"}}`},
		{"method not found", providertest.RPCError(-32601, "the method eth_blockNumber does not exist/is not available", ""),
			`{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"the method eth_blockNumber does not exist/is not available"}}`},
		{"capability", providertest.RPCError(-32000, "archive node required", ""),
			`{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"archive node required"}}`},
		{"rate limit", rateLimited, `{"jsonrpc":"2.0","id":1,"error":{"code":-32005,"message":"rate limit exceeded"}}`},
		{"unknown code", providertest.RPCError(-38099, "vendor says no", `{"x":1}`),
			`{"jsonrpc":"2.0","id":1,"error":{"code":-38099,"message":"vendor says no","data":{"x":1}}}`},
		{"HTTP 429", providertest.Status(429, ""), `{"jsonrpc":"2.0","id":1,"error":{"code":-32005,"message":"Rate limited by provider"}}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, nil,
				testProvider{id: "a", priority: 1, behave: ok(`"0xa"`)},
				testProvider{id: "b", priority: 2, behave: tt.behave})
			for _, path := range []string{"/rpc/provider/b/ethereum", "/rpc/ethereum/b"} {
				got := r.post(path, blockNumber)
				if got.status != 200 || string(got.body) != tt.want {
					t.Errorf("%s: got %d %s, want 200 %s", path, got.status, got.body, tt.want)
				}
			}
			if c := r.counts("a", "b"); c[0] != 0 || c[1] != 2 {
				t.Errorf("requests a, b = %v, want [0 2]: an override never fails over", c)
			}
		})
	}
}

// The upstream transport may be restricted: only HTTP channels exist yet,
// so ws finds none.
func TestTransportRestriction(t *testing.T) {
	t.Parallel()
	const none = `{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"No available channels for method: eth_blockNumber"}}`
	const answer = `{"jsonrpc":"2.0","id":1,"result":"0xa"}`
	r := newRig(t, nil, testProvider{id: "a", priority: 1, behave: ok(`"0xa"`)})
	for _, tt := range []struct {
		name, query, header, want string
	}{
		{"header ws", "", "ws", none},
		{"query ws", "?transport=ws", "", none},
		{"header http", "", "http", answer},
		{"query http", "?transport=http", "", answer},
		{"query wins: http over ws", "?transport=http", "ws", answer},
		{"query wins: ws over http", "?transport=ws", "http", none},
		{"unknown value ignored", "?transport=grpc", "", answer},
	} {
		var headers []string
		if tt.header != "" {
			headers = []string{"X-Lasso-Transport", tt.header}
		}
		before := r.count("a")
		got := r.post("/rpc/ethereum"+tt.query, blockNumber, headers...)
		if got.status != 200 || string(got.body) != tt.want {
			t.Errorf("%s: got %d %s, want 200 %s", tt.name, got.status, got.body, tt.want)
		}
		if sent := r.count("a") - before; (sent == 1) != (tt.want == answer) {
			t.Errorf("%s: provider received %d requests", tt.name, sent)
		}
	}
}

// An error code nobody knows (geth's -38xxx, a vendor's own) fails over for
// a replay-safe method, penalises nobody, and when everyone answers so the
// client gets the last upstream error as it was.
func TestUnknownErrorCode(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	r := newRigWith(t, rigOptions{clock: clk.Now},
		testProvider{id: "a", priority: 1, behave: providertest.RPCError(-38014, "simulation halted at call 0", `{"call":0}`)},
		testProvider{id: "b", priority: 2, behave: providertest.RPCError(-38020, "block numbers must be in order: 2 <= 5", `{"got":"0x2","after":"0x5"}`)})
	body := `{"jsonrpc":"2.0","id":"sim-1","method":"eth_call","params":[{"to":"0x0000000000000000000000000000000000000001"},"latest"]}`
	want := `{"jsonrpc":"2.0","id":"sim-1","error":{"code":-38020,"message":"block numbers must be in order: 2 <= 5","data":{"got":"0x2","after":"0x5"}}}`
	for i := 1; i <= 10; i++ {
		got := r.post("/rpc/ethereum", body)
		if got.status != 200 || string(got.body) != want {
			t.Fatalf("request %d: got %d %s, want 200 %s", i, got.status, got.body, want)
		}
		if c := r.counts("a", "b"); c[0] != i || c[1] != i {
			t.Fatalf("after %d requests a, b = %v: both must be tried, neither breaker opened", i, c)
		}
	}
	// The same answer from one provider when the other answers: failover.
	r.provider["b"].SetBehaviour(ok(`"0x"`))
	if got := r.post("/rpc/ethereum", body); string(got.body) != `{"jsonrpc":"2.0","id":"sim-1","result":"0x"}` {
		t.Errorf("A unknown code, B answers: got %s, want B's result", got.body)
	}
	// A method of unknown safety is sent once: A's error comes back as is.
	got := r.post("/rpc/ethereum", `{"jsonrpc":"2.0","id":2,"method":"vendor_simulate","params":[{"blockStateCalls":[]},"latest"]}`)
	if w := `{"jsonrpc":"2.0","id":2,"error":{"code":-38014,"message":"simulation halted at call 0","data":{"call":0}}}`; string(got.body) != w {
		t.Errorf("vendor_simulate: got %s, want %s", got.body, w)
	}
	for _, m := range r.provider["b"].Methods() {
		if m == "vendor_simulate" {
			t.Error("B received vendor_simulate: a method of unknown safety is sent once")
		}
	}
}

// Scenarios 22 and 23 with the only capable provider's breaker open: the
// fail-open rules (reference 3.2 items 7 and 9) apply to the channels left
// after open breakers are removed, so the call goes to the provider that
// lacks the capability rather than nowhere.
func TestScenario22And23FailOpenPastOpenBreakers(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, extra, body string
	}{
		{"unsupported method", "        capabilities: {unsupported_methods: [eth_call]}\n",
			call("eth_call", `[{"to":"0x0000000000000000000000000000000000000001"},"latest"]`)},
		{"max_block_range", "        capabilities: {limits: {max_block_range: 1000}}\n",
			call("eth_getLogs", `[{"fromBlock":"0x0","toBlock":"0x1000"}]`)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clk := newFakeClock()
			r := newRigWith(t, rigOptions{clock: clk.Now},
				testProvider{id: "a", priority: 1, behave: serverDown},
				testProvider{id: "b", priority: 2, behave: ok(`"0xb"`), extra: tt.extra})
			for i := 0; i < 5; i++ {
				r.post("/rpc/ethereum", blockNumber) // a fails five times: open
			}
			got := r.post("/rpc/ethereum", tt.body)
			if string(got.body) != `{"jsonrpc":"2.0","id":1,"result":"0xb"}` {
				t.Errorf("a open, b lacks the capability: got %s, want b's answer", got.body)
			}
		})
	}
}

// Reference 3.5: one upstream named twice in a chain is dispatched once per
// call, and shares one breaker.
func TestSameUpstreamDispatchedOnce(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	up := providertest.New(t, serverDown)
	r := newRigWith(t, rigOptions{clock: clk.Now},
		testProvider{id: "a", priority: 1, url: up.URL()},
		testProvider{id: "a-again", priority: 2, url: up.URL()},
		testProvider{id: "b", priority: 3, behave: ok(`"0xb"`)})
	for i := 1; i <= 5; i++ {
		got := r.post("/rpc/ethereum?include_meta=body", blockNumber)
		if res := got.result(t); res != "0xb" || up.Count() != i {
			t.Fatalf("request %d: result %v, upstream received %d; want b's answer and one dispatch per call", i, res, up.Count())
		}
	}
	// Five failures of the one upstream open both entries' breaker.
	got := r.post("/rpc/ethereum?include_meta=body", blockNumber)
	if c := candidates(got.lassoMeta(t)); !sameStrings(c, []string{"b:http"}) || up.Count() != 5 {
		t.Errorf("after five failures: candidates %v, upstream received %d; want [b:http] and 5", c, up.Count())
	}
}
