package lambdahttp_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/lasso-serverless/lasso/shared/lambdahttp"
)

// seen is what the echo handler saw of its request.
type seen struct {
	Method   string              `json:"method"`
	Path     string              `json:"path"`
	Query    map[string][]string `json:"query"`
	Remote   string              `json:"remote"`
	Body     string              `json:"body"`
	Length   int64               `json:"length"`
	Header   http.Header         `json:"header"`
	Deadline *time.Time          `json:"deadline"`
}

// echo answers with what it saw, as JSON, plus a header with two values.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s := seen{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Remote: r.RemoteAddr,
		Body: string(body), Length: r.ContentLength, Header: r.Header}
	if d, ok := r.Context().Deadline(); ok {
		s.Deadline = &d
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header()["Vary"] = []string{"Origin", "Accept-Encoding"}
	w.WriteHeader(http.StatusTeapot)
	_ = json.NewEncoder(w).Encode(s)
})

const (
	v2Event = `{"version":"2.0","routeKey":"$default","rawPath":"/rpc/eth","rawQueryString":"a=1&b=x%20y",
		"headers":{"content-type":"application/json","x-forwarded-for":"198.51.100.1, 203.0.113.7","accept":"a/b,c/d"},
		"requestContext":{"domainName":"api.example.com","http":{"method":"POST","path":"/rpc/eth","sourceIp":"203.0.113.7"}},
		"body":"{\"id\":1}","isBase64Encoded":false}`
	restEvent = `{"resource":"/{proxy+}","path":"/rpc/eth","httpMethod":"POST",
		"headers":{"Content-Type":"application/json"},
		"multiValueHeaders":{"Content-Type":["application/json"],"X-Two":["one","two"]},
		"queryStringParameters":{"a":"x y"},"multiValueQueryStringParameters":{"a":["x y"]},
		"requestContext":{"identity":{"sourceIp":"203.0.113.8"},"domainName":"api.example.com"},
		"body":"{\"id\":1}","isBase64Encoded":false}`
	albSingle = `{"requestContext":{"elb":{"targetGroupArn":"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/lasso/0123456789abcdef"}},
		"httpMethod":"POST","path":"/rpc/eth","queryStringParameters":{"q":"a%20b%26c","x%2By":"1"},
		"headers":{"host":"lb.example.com","content-type":"application/json","x-forwarded-for":"198.51.100.1, 203.0.113.9"},
		"body":"{\"id\":1}","isBase64Encoded":false}`
	albMulti = `{"requestContext":{"elb":{"targetGroupArn":"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/lasso/0123456789abcdef"}},
		"httpMethod":"POST","path":"/rpc/eth","multiValueQueryStringParameters":{"q":["a%20b","c"]},
		"multiValueHeaders":{"host":["lb.example.com"],"content-type":["application/json"],"x-forwarded-for":["198.51.100.1","203.0.113.10"]},
		"body":"eyJpZCI6MX0=","isBase64Encoded":true}`
)

func invoke(t *testing.T, h *lambdahttp.Handler, ctx context.Context, event string) []byte {
	t.Helper()
	out, err := h.Invoke(ctx, []byte(event))
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	return out
}

func decodeSeen(t *testing.T, body string, base64Encoded bool) seen {
	t.Helper()
	if base64Encoded {
		t.Fatalf("got a base64 body for JSON text")
	}
	var s seen
	if err := json.Unmarshal([]byte(body), &s); err != nil {
		t.Fatalf("handler output %q: %v", body, err)
	}
	return s
}

func TestHTTPAPIEvent(t *testing.T) {
	h := lambdahttp.New(echo, lambdahttp.Options{})
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(invoke(t, h, context.Background(), v2Event), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusTeapot {
		t.Errorf("status: got %d, want 418", resp.StatusCode)
	}
	if got := resp.Headers["Vary"]; got != "Origin,Accept-Encoding" {
		t.Errorf("Vary: got %q, want the two values joined", got)
	}
	s := decodeSeen(t, resp.Body, resp.IsBase64Encoded)
	if s.Method != "POST" || s.Path != "/rpc/eth" || s.Body != `{"id":1}` || s.Length != 8 {
		t.Errorf("request: got %s %s %q (length %d), want POST /rpc/eth {\"id\":1} (8)", s.Method, s.Path, s.Body, s.Length)
	}
	if got := s.Query["b"]; !slices.Equal(got, []string{"x y"}) {
		t.Errorf("query b: got %q, want [x y]", got)
	}
	if s.Remote != "203.0.113.7" {
		t.Errorf("peer: got %q, want the event's sourceIp", s.Remote)
	}
	if got := s.Header.Values("Accept"); !slices.Equal(got, []string{"a/b", "c/d"}) {
		t.Errorf("Accept: got %q, want the comma-joined header split", got)
	}
	if s.Deadline != nil {
		t.Errorf("deadline: got %v without a Lambda deadline, want none", s.Deadline)
	}
}

func TestRESTAPIEvent(t *testing.T) {
	h := lambdahttp.New(echo, lambdahttp.Options{})
	var resp events.APIGatewayProxyResponse
	if err := json.Unmarshal(invoke(t, h, context.Background(), restEvent), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusTeapot {
		t.Errorf("status: got %d, want 418", resp.StatusCode)
	}
	if got := resp.MultiValueHeaders["Vary"]; !slices.Equal(got, []string{"Origin", "Accept-Encoding"}) {
		t.Errorf("Vary: got %q, want both values", got)
	}
	s := decodeSeen(t, resp.Body, resp.IsBase64Encoded)
	if got := s.Header.Values("X-Two"); !slices.Equal(got, []string{"one", "two"}) {
		t.Errorf("X-Two: got %q, want [one two]", got)
	}
	if got := s.Query["a"]; !slices.Equal(got, []string{"x y"}) {
		t.Errorf("query a: got %q, want [x y]", got)
	}
	if s.Remote != "203.0.113.8" || s.Body != `{"id":1}` {
		t.Errorf("request: got peer %q body %q", s.Remote, s.Body)
	}
}

func TestALBEvent(t *testing.T) {
	h := lambdahttp.New(echo, lambdahttp.Options{})
	tests := []struct {
		name       string
		event      string
		wantQuery  map[string][]string
		wantRemote string
		multi      bool // the target group sends and reads multi-value headers
	}{
		{"single-value headers", albSingle, map[string][]string{"q": {"a b&c"}, "x+y": {"1"}}, "203.0.113.9", false},
		{"multi-value headers", albMulti, map[string][]string{"q": {"a b", "c"}}, "203.0.113.10", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var resp events.ALBTargetGroupResponse
			if err := json.Unmarshal(invoke(t, h, context.Background(), tt.event), &resp); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusTeapot || resp.StatusDescription != "418 I'm a teapot" {
				t.Errorf("status: got %d %q, want 418 \"418 I'm a teapot\"", resp.StatusCode, resp.StatusDescription)
			}
			if tt.multi {
				if resp.Headers != nil || !slices.Equal(resp.MultiValueHeaders["Vary"], []string{"Origin", "Accept-Encoding"}) {
					t.Errorf("headers: got %v and multi-value %v, want multi-value only", resp.Headers, resp.MultiValueHeaders)
				}
			} else if resp.MultiValueHeaders != nil || resp.Headers["Vary"] != "Origin,Accept-Encoding" {
				t.Errorf("headers: got %v and multi-value %v, want single-value only", resp.Headers, resp.MultiValueHeaders)
			}
			s := decodeSeen(t, resp.Body, resp.IsBase64Encoded)
			for k, want := range tt.wantQuery {
				if got := s.Query[k]; !slices.Equal(got, want) {
					t.Errorf("query %q: got %q, want %q (decoded once)", k, got, want)
				}
			}
			if s.Remote != tt.wantRemote {
				t.Errorf("peer: got %q, want %q (the balancer's X-Forwarded-For entry)", s.Remote, tt.wantRemote)
			}
			if s.Body != `{"id":1}` {
				t.Errorf("body: got %q, want {\"id\":1}", s.Body)
			}
		})
	}
}

func TestDeadlineCapped(t *testing.T) {
	tests := []struct {
		name   string
		margin time.Duration
		want   time.Duration // before the invocation's deadline
	}{
		{"default margin", 0, 200 * time.Millisecond},
		{"own margin", 350 * time.Millisecond, 350 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := lambdahttp.New(echo, lambdahttp.Options{Margin: tt.margin})
			deadline := time.Now().Add(time.Second)
			ctx, cancel := context.WithDeadline(context.Background(), deadline)
			defer cancel()
			var resp events.APIGatewayV2HTTPResponse
			if err := json.Unmarshal(invoke(t, h, ctx, v2Event), &resp); err != nil {
				t.Fatal(err)
			}
			s := decodeSeen(t, resp.Body, resp.IsBase64Encoded)
			if s.Deadline == nil {
				t.Fatal("the request has no deadline, want the invocation's minus the margin")
			}
			if got := deadline.Sub(*s.Deadline); got != tt.want {
				t.Errorf("request deadline: got %v before the invocation's, want %v", got, tt.want)
			}
		})
	}
}

func TestBeginAndEnd(t *testing.T) {
	var steps []string
	var beginDeadline time.Time
	h := lambdahttp.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		steps = append(steps, "handler")
		w.WriteHeader(http.StatusNoContent)
	}), lambdahttp.Options{Begin: func(ctx context.Context) func() {
		steps = append(steps, "begin")
		beginDeadline, _ = ctx.Deadline()
		return func() {
			if ctx.Err() != nil {
				t.Errorf("end: the context ended before end ran: %v", ctx.Err())
			}
			steps = append(steps, "end")
		}
	}})
	deadline := time.Now().Add(time.Second)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	invoke(t, h, ctx, v2Event)
	if want := []string{"begin", "handler", "end"}; !slices.Equal(steps, want) {
		t.Errorf("steps: got %q, want %q", steps, want)
	}
	if got := deadline.Sub(beginDeadline); got != lambdahttp.DefaultMargin {
		t.Errorf("Begin's deadline: got %v before the invocation's, want the margin %v", got, lambdahttp.DefaultMargin)
	}
	steps = nil
	if _, err := h.Invoke(ctx, []byte(`{}`)); err == nil || steps != nil {
		t.Errorf("malformed event: got error %v and steps %q, want an error and no steps", err, steps)
	}
}

func TestBinaryBodies(t *testing.T) {
	binary := string([]byte{0xff, 0xfe, 0x00, 0x01})
	h := lambdahttp.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(b) // echo the decoded bytes
	}), lambdahttp.Options{})
	event := strings.Replace(v2Event, `"body":"{\"id\":1}","isBase64Encoded":false`,
		`"body":"`+base64.StdEncoding.EncodeToString([]byte(binary))+`","isBase64Encoded":true`, 1)
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(invoke(t, h, context.Background(), event), &resp); err != nil {
		t.Fatal(err)
	}
	got, err := base64.StdEncoding.DecodeString(resp.Body)
	if !resp.IsBase64Encoded || err != nil || string(got) != binary {
		t.Errorf("response: got base64 %v body %q, want the request's bytes base64-encoded", resp.IsBase64Encoded, resp.Body)
	}
}

func TestMalformedEvents(t *testing.T) {
	called := false
	h := lambdahttp.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { called = true }), lambdahttp.Options{})
	tests := []struct {
		name    string
		event   string
		notHTTP bool // errors.Is(err, ErrNotHTTP)
	}{
		{"empty", ``, true},
		{"not JSON", `not json`, true},
		{"null", `null`, true},
		{"array", `[{"version":"2.0"}]`, true},
		{"string", `"GET /"`, true},
		{"empty object", `{}`, true},
		{"scheduled event", `{"version":"0","detail-type":"Scheduled Event","source":"aws.events","detail":{}}`, true},
		{"websocket message", `{"requestContext":{"routeKey":"$default","eventType":"MESSAGE","connectionId":"abc="},"body":"{}"}`, true},
		{"payload 2.0 without method", `{"version":"2.0","rawPath":"/rpc/eth","requestContext":{"http":{}}}`, true},
		{"payload 2.0 without path", `{"version":"2.0","requestContext":{"http":{"method":"POST"}}}`, true},
		{"payload 2.0 with a number for headers", `{"version":"2.0","rawPath":"/","headers":5,"requestContext":{"http":{"method":"GET"}}}`, true},
		{"rest without path", `{"httpMethod":"GET"}`, true},
		{"alb without method", `{"requestContext":{"elb":{}},"path":"/"}`, true},
		{"payload 2.0 with a bad base64 body", `{"version":"2.0","rawPath":"/rpc/eth","requestContext":{"http":{"method":"POST"}},"body":"%%%","isBase64Encoded":true}`, false},
		{"rest with a bad base64 body", `{"httpMethod":"POST","path":"/rpc/eth","body":"%%%","isBase64Encoded":true}`, false},
		{"payload 2.0 with a control character in the path", `{"version":"2.0","rawPath":"/rpc/\u0000","requestContext":{"http":{"method":"GET"}}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := h.Invoke(context.Background(), []byte(tt.event))
			if err == nil {
				t.Fatalf("got response %s, want an error", out)
			}
			if got := errors.Is(err, lambdahttp.ErrNotHTTP); got != tt.notHTTP {
				t.Errorf("error %q: errors.Is ErrNotHTTP is %v, want %v", err, got, tt.notHTTP)
			}
			if called {
				t.Error("the handler was called")
			}
		})
	}
}

// ExampleHandler_Invoke replays an API Gateway HTTP API event; in a
// function, lambda.Start(lambdahttp.New(handler, lambdahttp.Options{}))
// does the same for every invocation.
func ExampleHandler_Invoke() {
	h := lambdahttp.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"path":"`+r.URL.Path+`"}`)
	}), lambdahttp.Options{})
	out, err := h.Invoke(context.Background(), []byte(`{"version":"2.0","rawPath":"/api/health",
		"requestContext":{"http":{"method":"GET","path":"/api/health"}}}`))
	fmt.Println(string(out), err)
	// Output: {"statusCode":200,"headers":{"Content-Type":"application/json"},"multiValueHeaders":null,"body":"{\"path\":\"/api/health\"}","cookies":[]} <nil>
}

// TestResponseLimit: a response over what the event's caller accepts goes
// through Options.Fit with a budget that makes the whole response JSON fit,
// whatever the shape, the escaping or base64; a response within it is left
// alone.
func TestResponseLimit(t *testing.T) {
	cases := []struct {
		name  string
		event string
		body  []byte
		limit int
		fit   bool
	}{
		{"v2 within 6 MB", v2Event, []byte(strings.Repeat("a", 5<<20)), lambdahttp.APIGatewayLimit, false},
		{"v2 over 6 MB", v2Event, []byte(strings.Repeat("a", 7<<20)), lambdahttp.APIGatewayLimit, true},
		{"v2 quotes double when escaped", v2Event, []byte(strings.Repeat(`"`, 4<<20)), lambdahttp.APIGatewayLimit, true},
		{"REST over 6 MB", restEvent, []byte(strings.Repeat("b", 7<<20)), lambdahttp.APIGatewayLimit, true},
		{"ALB within 1 MB", albSingle, []byte(strings.Repeat("c", 900_000)), lambdahttp.ALBLimit, false},
		{"ALB over 1 MB", albSingle, []byte(strings.Repeat("c", 1_100_000)), lambdahttp.ALBLimit, true},
		{"ALB multi-value over 1 MB", albMulti, []byte(strings.Repeat("d", 1_100_000)), lambdahttp.ALBLimit, true},
		{"binary (base64) over 6 MB", v2Event, slices.Repeat([]byte{0xff, 0xfe, 0x00}, 2<<20), lambdahttp.APIGatewayLimit, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			big := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Length", fmt.Sprint(len(tc.body)))
				_, _ = w.Write(tc.body)
			})
			var gotBody []byte
			var gotBudget int
			fit := func(body []byte, limit int) []byte {
				gotBody, gotBudget = body, limit
				return slices.Repeat([]byte{'"'}, limit) // the worst case: all of it escaped
			}
			h := lambdahttp.New(big, lambdahttp.Options{Fit: fit})
			out := invoke(t, h, context.Background(), tc.event)
			if (gotBody != nil) != tc.fit {
				t.Fatalf("Fit called: %v, want %v", gotBody != nil, tc.fit)
			}
			if !tc.fit {
				return
			}
			if len(out) > tc.limit {
				t.Fatalf("response JSON of %d bytes, want at most %d", len(out), tc.limit)
			}
			if !slices.Equal(gotBody, tc.body) {
				t.Errorf("Fit got %d bytes, want the handler's %d (decoded)", len(gotBody), len(tc.body))
			}
			if gotBudget <= 0 || gotBudget >= len(tc.body) || gotBudget > tc.limit {
				t.Errorf("Fit budget %d: want between 0 and the limit %d", gotBudget, tc.limit)
			}
			var resp struct {
				Body              string              `json:"body"`
				IsBase64Encoded   bool                `json:"isBase64Encoded"`
				Headers           map[string]string   `json:"headers"`
				MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
			}
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatal(err)
			}
			body := []byte(resp.Body)
			if resp.IsBase64Encoded {
				var err error
				if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
					t.Fatal(err)
				}
			}
			if strings.Trim(string(body), `"`) != "" || len(body) == 0 {
				t.Errorf("body is not Fit's output: %.80q", body)
			}
			cl := resp.Headers["Content-Length"]
			if mv := resp.MultiValueHeaders["Content-Length"]; len(mv) > 0 {
				cl = mv[0]
			}
			if cl != fmt.Sprint(len(body)) {
				t.Errorf("Content-Length %q, want %d", cl, len(body))
			}
		})
	}
}

// TestResponseLimitWithoutFit: without a Fit the response is returned as
// it is, for the caller to refuse; nothing is cut.
func TestResponseLimitWithoutFit(t *testing.T) {
	body := strings.Repeat("a", 7<<20)
	h := lambdahttp.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, body)
	}), lambdahttp.Options{})
	out := invoke(t, h, context.Background(), v2Event)
	if len(out) <= len(body) {
		t.Fatalf("got %d bytes, want the whole %d-byte body in it", len(out), len(body))
	}
}
