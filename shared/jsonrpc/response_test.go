package jsonrpc

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestResponseAppendJSON(t *testing.T) {
	tests := []struct {
		name string
		resp *Response
		want string
	}{
		{name: "int id result", resp: NewResult(json.RawMessage(`7`), json.RawMessage(`"0x1"`)),
			want: `{"jsonrpc":"2.0","id":7,"result":"0x1"}`},
		{name: "string id result", resp: NewResult(json.RawMessage(`"a"`), json.RawMessage(`[1,2]`)),
			want: `{"jsonrpc":"2.0","id":"a","result":[1,2]}`},
		{name: "null id result", resp: NewResult(json.RawMessage(`null`), json.RawMessage(`true`)),
			want: `{"jsonrpc":"2.0","id":null,"result":true}`},
		{name: "nil id encodes as null", resp: NewResult(nil, json.RawMessage(`{}`)),
			want: `{"jsonrpc":"2.0","id":null,"result":{}}`},
		{name: "null result", resp: NewResult(json.RawMessage(`1`), json.RawMessage(`null`)),
			want: `{"jsonrpc":"2.0","id":1,"result":null}`},
		{name: "result bytes kept verbatim", resp: NewResult(json.RawMessage(`1`), json.RawMessage(`{ "a" : "<&>" }`)),
			want: `{"jsonrpc":"2.0","id":1,"result":{ "a" : "<&>" }}`},
		{name: "error without data", resp: NewErrorResponse(json.RawMessage(`1`), NewError(CodeMethodNotFound, "Method not found")),
			want: `{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not found"}}`},
		{name: "error nil id", resp: NewErrorResponse(nil, NewError(CodeParseError, "Parse error")),
			want: `{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}`},
		{name: "error with string id", resp: NewErrorResponse(json.RawMessage(`"x"`), NewError(CodeInvalidRequest, "Invalid Request")),
			want: `{"jsonrpc":"2.0","id":"x","error":{"code":-32600,"message":"Invalid Request"}}`},
		{name: "error with raw data", resp: NewErrorResponse(json.RawMessage(`2`), &Error{Code: 3, Message: "execution reverted", Data: json.RawMessage(`"0x08c379a0"`)}),
			want: `{"jsonrpc":"2.0","id":2,"error":{"code":3,"message":"execution reverted","data":"0x08c379a0"}}`},
		{name: "error with Go data", resp: NewErrorResponse(json.RawMessage(`2`), &Error{Code: CodeRateLimited, Message: "slow down", Data: map[string]int{"retry_after_ms": 100}}),
			want: `{"jsonrpc":"2.0","id":2,"error":{"code":-32005,"message":"slow down","data":{"retry_after_ms":100}}}`},
		{name: "error with unmarshalable data drops data", resp: NewErrorResponse(json.RawMessage(`2`), &Error{Code: -1, Message: "m", Data: func() {}}),
			want: `{"jsonrpc":"2.0","id":2,"error":{"code":-1,"message":"m"}}`},
		{name: "error message escaped", resp: NewErrorResponse(json.RawMessage(`2`), NewError(-1, "a\"b\\c\n")),
			want: `{"jsonrpc":"2.0","id":2,"error":{"code":-1,"message":"a\"b\\c\n"}}`},
		{name: "error wins over result", resp: &Response{ID: json.RawMessage(`1`), Result: json.RawMessage(`1`), Error: NewError(-1, "e")},
			want: `{"jsonrpc":"2.0","id":1,"error":{"code":-1,"message":"e"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.resp.AppendJSON(nil)
			if string(got) != tt.want {
				t.Errorf("AppendJSON() = %s, want %s", got, tt.want)
			}
			if !json.Valid(got) {
				t.Errorf("AppendJSON() = %s is not valid JSON", got)
			}
			// Appending must extend dst, not overwrite it.
			prefix := []byte("PFX")
			if got := tt.resp.AppendJSON(prefix); string(got) != "PFX"+tt.want {
				t.Errorf("AppendJSON(PFX) = %s, want PFX%s", got, tt.want)
			}
		})
	}
}

func mustParseUpstream(t testing.TB, body, id string) *Upstream {
	t.Helper()
	u, err := ParseUpstream([]byte(body), id)
	if err != nil {
		t.Fatalf("ParseUpstream(%s, %q) err = %v, want nil", body, id, err)
	}
	return u
}

func TestPassthrough(t *testing.T) {
	tests := []struct {
		name     string
		upstream string
		clientID json.RawMessage
		want     string
	}{
		{name: "compact result", upstream: `{"jsonrpc":"2.0","id":"17","result":"0x10"}`, clientID: json.RawMessage(`7`),
			want: `{"jsonrpc":"2.0","id":7,"result":"0x10"}`},
		{name: "string client id", upstream: `{"jsonrpc":"2.0","id":"17","result":"0x10"}`, clientID: json.RawMessage(`"a"`),
			want: `{"jsonrpc":"2.0","id":"a","result":"0x10"}`},
		{name: "null client id", upstream: `{"jsonrpc":"2.0","id":"17","result":"0x10"}`, clientID: json.RawMessage(`null`),
			want: `{"jsonrpc":"2.0","id":null,"result":"0x10"}`},
		{name: "nil client id becomes null", upstream: `{"jsonrpc":"2.0","id":"17","result":"0x10"}`, clientID: nil,
			want: `{"jsonrpc":"2.0","id":null,"result":"0x10"}`},
		{name: "whitespace kept", upstream: "{ \"jsonrpc\" : \"2.0\" ,\n  \"id\" :\t\"17\" , \"result\" : [ 1, 2 ] }\n", clientID: json.RawMessage(`"abc"`),
			want: "{ \"jsonrpc\" : \"2.0\" ,\n  \"id\" :\t\"abc\" , \"result\" : [ 1, 2 ] }\n"},
		{name: "id first", upstream: `{"id":"17","result":{"a":1},"jsonrpc":"2.0"}`, clientID: json.RawMessage(`-1.5`),
			want: `{"id":-1.5,"result":{"a":1},"jsonrpc":"2.0"}`},
		{name: "id last", upstream: `{"result":null,"jsonrpc":"2.0","id":"17"}`, clientID: json.RawMessage(`123456789`),
			want: `{"result":null,"jsonrpc":"2.0","id":123456789}`},
		{name: "extra fields kept", upstream: `{"jsonrpc":"2.0","id":"17","result":1,"x-cache":"hit","meta":{"id":"17"}}`, clientID: json.RawMessage(`1`),
			want: `{"jsonrpc":"2.0","id":1,"result":1,"x-cache":"hit","meta":{"id":"17"}}`},
		{name: "escaped id key", upstream: `{"jsonrpc":"2.0","\u0069d":"17","result":1}`, clientID: json.RawMessage(`2`),
			want: `{"jsonrpc":"2.0","\u0069d":2,"result":1}`},
		{name: "upstream error passed through", upstream: `{"jsonrpc":"2.0","id":"17","error":{"code":-32000,"message":"header not found","data":{ "k" : "<v>" }}}`, clientID: json.RawMessage(`"c"`),
			want: `{"jsonrpc":"2.0","id":"c","error":{"code":-32000,"message":"header not found","data":{ "k" : "<v>" }}}`},
		{name: "result with tricky strings", upstream: `{"jsonrpc":"2.0","result":{"s":"}\"id\":\"17\"{[","t":["]","\\"]},"id":"17"}`, clientID: json.RawMessage(`9`),
			want: `{"jsonrpc":"2.0","result":{"s":"}\"id\":\"17\"{[","t":["]","\\"]},"id":9}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := mustParseUpstream(t, tt.upstream, "17")
			got := Passthrough(tt.clientID, u).AppendJSON(nil)
			if string(got) != tt.want {
				t.Errorf("Passthrough(%s).AppendJSON() = %s, want %s", tt.clientID, got, tt.want)
			}
			if !json.Valid(got) {
				t.Errorf("Passthrough output %s is not valid JSON", got)
			}
			if string(u.Body) != tt.upstream {
				t.Errorf("Passthrough modified upstream body: %s, want %s", u.Body, tt.upstream)
			}
			// The same Upstream can be answered twice (e.g. two clients coalesced
			// onto one call) with different ids.
			if got2 := Passthrough(json.RawMessage(`"other"`), u).AppendJSON(nil); !json.Valid(got2) || bytes.Equal(got, got2) {
				t.Errorf("second Passthrough = %s; want valid JSON differing from %s", got2, got)
			}
		})
	}
}

func TestPassthroughBigResult(t *testing.T) {
	// A ~1 MB array result must come back byte for byte.
	var b strings.Builder
	b.WriteString(`{"jsonrpc":"2.0","id":"42","result":[`)
	for i := 0; b.Len() < 1<<20; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"address":"0x00000000219ab540356cbb839cbe05303d7705fa","data":"0x` + strings.Repeat("ab", 32) + `","s":"}{]["}`)
	}
	b.WriteString(`]}`)
	body := []byte(b.String())
	u := mustParseUpstream(t, string(body), "42")
	wantResult := body[len(`{"jsonrpc":"2.0","id":"42","result":`) : len(body)-1]
	if !bytes.Equal(u.Result, wantResult) {
		t.Fatalf("Upstream.Result has %d bytes, want the %d-byte array", len(u.Result), len(wantResult))
	}
	got := Passthrough(json.RawMessage(`"client-1"`), u).AppendJSON(nil)
	want := append([]byte(`{"jsonrpc":"2.0","id":"client-1","result":`), wantResult...)
	want = append(want, '}')
	if !bytes.Equal(got, want) {
		t.Fatalf("passthrough of %d-byte body differs from expected (got %d bytes, want %d)", len(body), len(got), len(want))
	}
}

func TestAppendBatch(t *testing.T) {
	u := mustParseUpstream(t, `{"jsonrpc":"2.0","id":"u1","result":"0x1"}`, "u1")
	tests := []struct {
		name string
		rs   []*Response
		want string
	}{
		{name: "empty", rs: nil, want: `[]`},
		{name: "one", rs: []*Response{NewResult(json.RawMessage(`1`), json.RawMessage(`2`))},
			want: `[{"jsonrpc":"2.0","id":1,"result":2}]`},
		{name: "mixed kinds in order", rs: []*Response{
			Passthrough(json.RawMessage(`"a"`), u),
			NewErrorResponse(nil, NewError(CodeInvalidRequest, "Invalid Request")),
			NewResult(json.RawMessage(`7`), json.RawMessage(`"0x89"`)),
			NewErrorResponse(json.RawMessage(`null`), NewError(CodeInvalidRequest, "Invalid Request")),
		}, want: `[{"jsonrpc":"2.0","id":"a","result":"0x1"},` +
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request"}},` +
			`{"jsonrpc":"2.0","id":7,"result":"0x89"},` +
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request"}}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AppendBatch([]byte("X"), tt.rs)
			if string(got) != "X"+tt.want {
				t.Errorf("AppendBatch = %s, want X%s", got, tt.want)
			}
			if !json.Valid(got[1:]) {
				t.Errorf("AppendBatch output %s is not valid JSON", got[1:])
			}
		})
	}
}

// TestDecodeToBatchResponse runs the scenario a handler performs for invalid
// members: decode, answer each invalid item with its Err, encode the batch.
func TestDecodeToBatchResponse(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string
	}{
		{name: "empty object and number", body: `[{}, 42]`,
			want: `[{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request"}},` +
				`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request"}}]`},
		{name: "bad version keeps id", body: `[{"jsonrpc":"1.0","id":"k","method":"m"}]`,
			want: `[{"jsonrpc":"2.0","id":"k","error":{"code":-32600,"message":"Invalid Request: jsonrpc must be \"2.0\""}}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, batch, err := Decode([]byte(tt.body), 10)
			if err != nil || !batch {
				t.Fatalf("Decode(%s) batch=%v err=%v", tt.body, batch, err)
			}
			var rs []*Response
			for _, it := range items {
				if it.Err == nil {
					t.Fatalf("item %+v is valid, want invalid", it)
				}
				rs = append(rs, NewErrorResponse(it.Req.ID, it.Err))
			}
			if got := AppendBatch(nil, rs); string(got) != tt.want {
				t.Errorf("batch response = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestUpstreamErrorDataRoundTrip: a provider's error (e.g. a revert) re-sent to
// the client through NewErrorResponse must carry the same code, message and data.
func TestUpstreamErrorDataRoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		errorObj string
		want     string // exact error object expected in the client response
	}{
		{name: "revert data hex string",
			errorObj: `{"code":3,"message":"execution reverted: Not owner","data":"0x08c379a000000000000000000000000000000000000000000000000000000000000000200000000000000000000000000000000000000000000000000000000000000009` + `4e6f74206f776e657200000000000000000000000000000000000000000000000"}`,
			want:     `{"code":3,"message":"execution reverted: Not owner","data":"0x08c379a000000000000000000000000000000000000000000000000000000000000000200000000000000000000000000000000000000000000000000000000000000009` + `4e6f74206f776e657200000000000000000000000000000000000000000000000"}`},
		{name: "object data compact", errorObj: `{"code":-32000,"message":"m","data":{"a":[1,2.50,-0],"b":null}}`,
			want: `{"code":-32000,"message":"m","data":{"a":[1,2.50,-0],"b":null}}`},
		{name: "null data kept", errorObj: `{"code":-32000,"message":"m","data":null}`,
			want: `{"code":-32000,"message":"m","data":null}`},
		{name: "no data", errorObj: `{"code":-32000,"message":"m"}`,
			want: `{"code":-32000,"message":"m"}`},
		{name: "missing message", errorObj: `{"code":-32000}`,
			want: `{"code":-32000,"message":""}`},
		{name: "big number data kept exactly", errorObj: `{"code":1,"message":"m","data":123456789012345678901234567890}`,
			want: `{"code":1,"message":"m","data":123456789012345678901234567890}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"jsonrpc":"2.0","id":"9","error":` + tt.errorObj + `}`
			u := mustParseUpstream(t, body, "9")
			if u.Error == nil || u.Result != nil {
				t.Fatalf("Upstream = {Result %s, Error %v}, want an error", u.Result, u.Error)
			}
			if u.Error.Data != nil {
				if _, ok := u.Error.Data.(json.RawMessage); !ok {
					t.Errorf("Error.Data has type %T, want json.RawMessage", u.Error.Data)
				}
			}
			got := NewErrorResponse(json.RawMessage(`7`), u.Error).AppendJSON(nil)
			want := `{"jsonrpc":"2.0","id":7,"error":` + tt.want + `}`
			if string(got) != want {
				t.Errorf("re-encoded error = %s, want %s", got, want)
			}
			// Semantically the error object is the provider's.
			var gotObj, wantObj struct {
				Error map[string]any `json:"error"`
			}
			_ = json.Unmarshal(got, &gotObj)
			_ = json.Unmarshal([]byte(body), &wantObj)
			if tt.name != "missing message" && !reflect.DeepEqual(gotObj.Error, wantObj.Error) {
				t.Errorf("error object = %v, want %v", gotObj.Error, wantObj.Error)
			}
		})
	}
}
