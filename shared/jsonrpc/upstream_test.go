package jsonrpc

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestAppendUpstream(t *testing.T) {
	tests := []struct {
		name       string
		id, method string
		params     string
		want       string
		wantMethod string // decoded method when want is empty (escaping may vary)
	}{
		{name: "plain", id: "1", method: "eth_blockNumber", params: `[]`,
			want: `{"jsonrpc":"2.0","id":"1","method":"eth_blockNumber","params":[]}`},
		{name: "params kept verbatim", id: "r-9", method: "eth_call", params: `[ {"to":"0x0"} , "latest" ]`,
			want: `{"jsonrpc":"2.0","id":"r-9","method":"eth_call","params":[ {"to":"0x0"} , "latest" ]}`},
		{name: "empty method", id: "1", method: "", params: `[]`,
			want: `{"jsonrpc":"2.0","id":"1","method":"","params":[]}`},
		{name: "quote in method", id: "1", method: `a"b`, params: `[]`, wantMethod: `a"b`},
		{name: "backslash in method", id: "1", method: `a\b`, params: `[]`, wantMethod: `a\b`},
		{name: "control chars in method", id: "1", method: "a\n\t\x00b", params: `[]`, wantMethod: "a\n\t\x00b"},
		{name: "unicode method", id: "1", method: "méthode_✓", params: `[]`, wantMethod: "méthode_✓"},
		{name: "line separator in method", id: "1", method: "a\u2028b", params: `[]`, wantMethod: "a\u2028b"},
		{name: "html chars in method", id: "1", method: "<a&b>", params: `[]`, wantMethod: "<a&b>"},
		{name: "html chars and unicode", id: "1", method: "<é>", params: `[]`, wantMethod: "<é>"},
		{name: "quote in id", id: `x"y`, method: "m", params: `[]`, wantMethod: "m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AppendUpstream([]byte("P"), tt.id, tt.method, json.RawMessage(tt.params))
			if got[0] != 'P' {
				t.Fatalf("AppendUpstream overwrote dst: %s", got)
			}
			got = got[1:]
			if tt.want != "" && string(got) != tt.want {
				t.Errorf("AppendUpstream = %s, want %s", got, tt.want)
			}
			if !json.Valid(got) {
				t.Fatalf("AppendUpstream = %s, not valid JSON", got)
			}
			var w struct {
				JSONRPC string          `json:"jsonrpc"`
				ID      string          `json:"id"`
				Method  string          `json:"method"`
				Params  json.RawMessage `json:"params"`
			}
			if err := json.Unmarshal(got, &w); err != nil {
				t.Fatal(err)
			}
			if w.JSONRPC != "2.0" || w.ID != tt.id || w.Method != tt.method || string(w.Params) != tt.params {
				t.Errorf("AppendUpstream decodes to %+v, want jsonrpc 2.0 id %q method %q params %s", w, tt.id, tt.method, tt.params)
			}
			// What the router sends must be accepted by its own decoder.
			items, _, err := Decode(got, 1)
			if err != nil || len(items) != 1 || items[0].Err != nil && tt.method != "" {
				t.Errorf("Decode(AppendUpstream) = %v, %v", items, err)
			}
		})
	}
}

// TestAppendUpstreamParseRoundTrip: an upstream echoing the router's id as the
// router encoded it must be accepted.
func TestAppendUpstreamParseRoundTrip(t *testing.T) {
	for _, id := range []string{"0", "1", "18446744073709551615", "r-1", "abc_DEF.9", ""} {
		req := AppendUpstream(nil, id, "m", json.RawMessage(`[]`))
		var w struct {
			ID json.RawMessage `json:"id"`
		}
		if err := json.Unmarshal(req, &w); err != nil {
			t.Fatal(err)
		}
		body := `{"jsonrpc":"2.0","id":` + string(w.ID) + `,"result":1}`
		if _, err := ParseUpstream([]byte(body), id); err != nil {
			t.Errorf("ParseUpstream(%s, %q) err = %v, want nil", body, id, err)
		}
	}
}

func TestParseUpstreamValid(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		wantResult string // "" means an error response
		wantCode   int
		wantMsg    string
		wantData   string // "" means no data
		wantIDSpan string // the bytes Passthrough replaces
	}{
		{name: "minimal result", body: `{"jsonrpc":"2.0","id":"1","result":"0x1"}`, wantResult: `"0x1"`, wantIDSpan: `"1"`},
		{name: "null result", body: `{"jsonrpc":"2.0","id":"1","result":null}`, wantResult: `null`, wantIDSpan: `"1"`},
		{name: "false result", body: `{"jsonrpc":"2.0","id":"1","result":false}`, wantResult: `false`, wantIDSpan: `"1"`},
		{name: "number result", body: `{"jsonrpc":"2.0","id":"1","result":-1.5e3}`, wantResult: `-1.5e3`, wantIDSpan: `"1"`},
		{name: "empty object result", body: `{"jsonrpc":"2.0","id":"1","result":{}}`, wantResult: `{}`, wantIDSpan: `"1"`},
		{name: "empty array result", body: `{"jsonrpc":"2.0","id":"1","result":[]}`, wantResult: `[]`, wantIDSpan: `"1"`},
		{name: "reordered keys", body: `{"result":[1],"id":"1","jsonrpc":"2.0"}`, wantResult: `[1]`, wantIDSpan: `"1"`},
		{name: "whitespace everywhere", body: " \n{ \"jsonrpc\" :\"2.0\"\t,\r\n\"id\":  \"1\" , \"result\" : { \"a\" : [ 1 , 2 ] } } \n",
			wantResult: `{ "a" : [ 1 , 2 ] }`, wantIDSpan: `"1"`},
		{name: "number result before whitespace", body: `{"jsonrpc":"2.0","id":"1","result":42 }`, wantResult: `42`, wantIDSpan: `"1"`},
		{name: "extra top-level fields ignored", body: `{"jsonrpc":"2.0","id":"1","result":1,"extra":{"method":"x"},"x":[null]}`,
			wantResult: `1`, wantIDSpan: `"1"`},
		{name: "escaped id key", body: `{"jsonrpc":"2.0","\u0069d":"1","result":1}`, wantResult: `1`, wantIDSpan: `"1"`},
		{name: "escaped jsonrpc key", body: `{"\u006asonrpc":"2.0","id":"1","result":1}`, wantResult: `1`, wantIDSpan: `"1"`},
		{name: "escaped result key", body: `{"jsonrpc":"2.0","id":"1","r\u0065sult":7}`, wantResult: `7`, wantIDSpan: `"1"`},
		{name: "escaped error key", body: `{"jsonrpc":"2.0","id":"1","\u0065rror":{"code":1,"message":"m"}}`, wantCode: 1, wantMsg: "m", wantIDSpan: `"1"`},
		{name: "method nested in result is fine", body: `{"jsonrpc":"2.0","id":"1","result":{"method":"eth_subscription","id":"2"}}`,
			wantResult: `{"method":"eth_subscription","id":"2"}`, wantIDSpan: `"1"`},
		{name: "strings with braces and brackets", body: `{"jsonrpc":"2.0","id":"1","result":{"a":"}}]]{{[[","b":"\"}","c":"\\"}}`,
			wantResult: `{"a":"}}]]{{[[","b":"\"}","c":"\\"}`, wantIDSpan: `"1"`},
		{name: "escaped quote fools no one", body: `{"jsonrpc":"2.0","result":"\",\"id\":\"2\",\"x\":\"","id":"1"}`,
			wantResult: `"\",\"id\":\"2\",\"x\":\""`, wantIDSpan: `"1"`},
		{name: "key with braces", body: `{"{id}":"2","jsonrpc":"2.0","id":"1","result":0}`, wantResult: `0`, wantIDSpan: `"1"`},
		{name: "error with data", body: `{"jsonrpc":"2.0","id":"1","error":{"code":3,"message":"execution reverted","data":"0x08c379a0"}}`,
			wantCode: 3, wantMsg: "execution reverted", wantData: `"0x08c379a0"`, wantIDSpan: `"1"`},
		{name: "error data whitespace kept raw", body: `{"jsonrpc":"2.0","id":"1","error":{"code":-32000,"message":"m","data":{ "x" : [ 1 ] }}}`,
			wantCode: -32000, wantMsg: "m", wantData: `{ "x" : [ 1 ] }`, wantIDSpan: `"1"`},
		{name: "error without message", body: `{"jsonrpc":"2.0","id":"1","error":{"code":-32000}}`, wantCode: -32000, wantIDSpan: `"1"`},
		{name: "error with extra fields", body: `{"jsonrpc":"2.0","id":"1","error":{"code":5,"message":"m","extra":true}}`, wantCode: 5, wantMsg: "m", wantIDSpan: `"1"`},
		{name: "error code zero", body: `{"jsonrpc":"2.0","id":"1","error":{"code":0,"message":""}}`, wantCode: 0, wantIDSpan: `"1"`},
		{name: "error code negative zero", body: `{"jsonrpc":"2.0","id":"1","error":{"code":-0,"message":"z"}}`, wantCode: 0, wantMsg: "z", wantIDSpan: `"1"`},
		{name: "error escaped message", body: `{"jsonrpc":"2.0","id":"1","error":{"code":1,"message":"a\"\u00e9"}}`, wantCode: 1, wantMsg: `a"é`, wantIDSpan: `"1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := ParseUpstream([]byte(tt.body), "1")
			if err != nil {
				t.Fatalf("ParseUpstream(%s) err = %v, want nil", tt.body, err)
			}
			if string(u.Body) != tt.body {
				t.Errorf("Body = %s, want %s", u.Body, tt.body)
			}
			if got := tt.body[u.idStart:u.idEnd]; got != tt.wantIDSpan {
				t.Errorf("id span = %q, want %q", got, tt.wantIDSpan)
			}
			if tt.wantResult != "" {
				if u.Error != nil || string(u.Result) != tt.wantResult {
					t.Errorf("Result = %s, Error = %v; want Result %s, no error", u.Result, u.Error, tt.wantResult)
				}
				return
			}
			if u.Result != nil || u.Error == nil {
				t.Fatalf("Result = %s, Error = %v; want an error", u.Result, u.Error)
			}
			if u.Error.Code != tt.wantCode || u.Error.Message != tt.wantMsg {
				t.Errorf("Error = {%d %q}, want {%d %q}", u.Error.Code, u.Error.Message, tt.wantCode, tt.wantMsg)
			}
			switch d := u.Error.Data.(type) {
			case nil:
				if tt.wantData != "" {
					t.Errorf("Error.Data = nil, want %s", tt.wantData)
				}
			case json.RawMessage:
				if string(d) != tt.wantData {
					t.Errorf("Error.Data = %s, want %s", d, tt.wantData)
				}
			default:
				t.Errorf("Error.Data type %T, want json.RawMessage", d)
			}
		})
	}
}

func TestParseUpstreamInvalid(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		wantID string
	}{
		{name: "empty", body: ``},
		{name: "whitespace", body: "  "},
		{name: "not JSON", body: `<html>502 Bad Gateway</html>`},
		{name: "truncated", body: `{"jsonrpc":"2.0","id":"1","result":"0x`},
		{name: "trailing garbage", body: `{"jsonrpc":"2.0","id":"1","result":1}x`},
		{name: "two objects", body: `{"jsonrpc":"2.0","id":"1","result":1}{"jsonrpc":"2.0","id":"1","result":1}`},
		{name: "batch array", body: `[{"jsonrpc":"2.0","id":"1","result":1}]`},
		{name: "string", body: `"ok"`},
		{name: "number", body: `1`},
		{name: "null", body: `null`},
		{name: "empty object", body: `{}`},
		{name: "missing jsonrpc", body: `{"id":"1","result":1}`},
		{name: "jsonrpc 1.0", body: `{"jsonrpc":"1.0","id":"1","result":1}`},
		{name: "jsonrpc number", body: `{"jsonrpc":2.0,"id":"1","result":1}`},
		{name: "jsonrpc null", body: `{"jsonrpc":null,"id":"1","result":1}`},
		{name: "duplicate jsonrpc", body: `{"jsonrpc":"2.0","jsonrpc":"2.0","id":"1","result":1}`},
		{name: "duplicate jsonrpc escaped", body: `{"jsonrpc":"2.0","\u006asonrpc":"2.0","id":"1","result":1}`},
		{name: "missing id", body: `{"jsonrpc":"2.0","result":1}`},
		{name: "null id", body: `{"jsonrpc":"2.0","id":null,"result":1}`},
		{name: "wrong id", body: `{"jsonrpc":"2.0","id":"2","result":1}`},
		{name: "numeric id", body: `{"jsonrpc":"2.0","id":1,"result":1}`},
		{name: "id prefix", body: `{"jsonrpc":"2.0","id":"11","result":1}`},
		{name: "id empty string", body: `{"jsonrpc":"2.0","id":"","result":1}`},
		{name: "id object", body: `{"jsonrpc":"2.0","id":{"1":1},"result":1}`},
		{name: "id array", body: `{"jsonrpc":"2.0","id":["1"],"result":1}`},
		{name: "duplicate id", body: `{"jsonrpc":"2.0","id":"1","id":"1","result":1}`},
		{name: "duplicate id escaped", body: `{"jsonrpc":"2.0","id":"1","\u0069d":"1","result":1}`},
		{name: "duplicate id differing", body: `{"jsonrpc":"2.0","id":"1","id":"2","result":1}`},
		{name: "want empty id got other", body: `{"jsonrpc":"2.0","id":"1","result":1}`, wantID: "x"},
		{name: "neither result nor error", body: `{"jsonrpc":"2.0","id":"1"}`},
		{name: "both result and error", body: `{"jsonrpc":"2.0","id":"1","result":1,"error":{"code":1,"message":"m"}}`},
		{name: "result and null error", body: `{"jsonrpc":"2.0","id":"1","result":1,"error":null}`},
		{name: "duplicate result", body: `{"jsonrpc":"2.0","id":"1","result":1,"result":2}`},
		{name: "duplicate error", body: `{"jsonrpc":"2.0","id":"1","error":{"code":1},"error":{"code":1}}`},
		{name: "method present", body: `{"jsonrpc":"2.0","id":"1","result":1,"method":"eth_subscription"}`},
		{name: "notification", body: `{"jsonrpc":"2.0","method":"eth_subscription","params":{}}`},
		{name: "escaped method key", body: `{"jsonrpc":"2.0","id":"1","result":1,"m\u0065thod":"x"}`},
		{name: "error null", body: `{"jsonrpc":"2.0","id":"1","error":null}`},
		{name: "error string", body: `{"jsonrpc":"2.0","id":"1","error":"boom"}`},
		{name: "error array", body: `{"jsonrpc":"2.0","id":"1","error":[{"code":1}]}`},
		{name: "error without code", body: `{"jsonrpc":"2.0","id":"1","error":{"message":"m"}}`},
		{name: "error null code", body: `{"jsonrpc":"2.0","id":"1","error":{"code":null,"message":"m"}}`},
		{name: "error string code", body: `{"jsonrpc":"2.0","id":"1","error":{"code":"-32000","message":"m"}}`},
		{name: "error float code", body: `{"jsonrpc":"2.0","id":"1","error":{"code":1.5,"message":"m"}}`},
		{name: "error overflowing code", body: `{"jsonrpc":"2.0","id":"1","error":{"code":99999999999999999999,"message":"m"}}`},
		{name: "error non-string message", body: `{"jsonrpc":"2.0","id":"1","error":{"code":1,"message":5}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.wantID
			if want == "" {
				want = "1"
			}
			u, err := ParseUpstream([]byte(tt.body), want)
			if err == nil {
				t.Fatalf("ParseUpstream(%s, %q) = %+v, nil; want ErrInvalidUpstream", tt.body, want, u)
			}
			if !errors.Is(err, ErrInvalidUpstream) {
				t.Errorf("ParseUpstream(%s) err = %v, want it to wrap ErrInvalidUpstream", tt.body, err)
			}
			if u != nil {
				t.Errorf("ParseUpstream(%s) returned %+v with error, want nil", tt.body, u)
			}
			if !strings.HasPrefix(err.Error(), ErrInvalidUpstream.Error()+": ") {
				t.Errorf("err = %q, want prefix %q", err, ErrInvalidUpstream.Error()+": ")
			}
		})
	}
}

func TestErrorType(t *testing.T) {
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{name: "negative code", err: NewError(CodeInternalError, "Internal error"), want: "jsonrpc error -32603: Internal error"},
		{name: "positive code", err: &Error{Code: 3, Message: "execution reverted", Data: json.RawMessage(`"0x"`)}, want: "jsonrpc error 3: execution reverted"},
		{name: "empty message", err: NewError(0, ""), want: "jsonrpc error 0: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error = tt.err
			if got := err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
			var target *Error
			if !errors.As(err, &target) || target != tt.err {
				t.Errorf("errors.As did not recover the *Error")
			}
		})
	}
}

// TestErrorCodesStable pins the wire codes clients match on.
func TestErrorCodesStable(t *testing.T) {
	codes := map[string][2]int{
		"CodeParseError":     {CodeParseError, -32700},
		"CodeInvalidRequest": {CodeInvalidRequest, -32600},
		"CodeMethodNotFound": {CodeMethodNotFound, -32601},
		"CodeInvalidParams":  {CodeInvalidParams, -32602},
		"CodeInternalError":  {CodeInternalError, -32603},
		"CodeServerError":    {CodeServerError, -32000},
		"CodeUpstreamHTTP":   {CodeUpstreamHTTP, -32002},
		"CodeClientError":    {CodeClientError, -32003},
		"CodeNetworkError":   {CodeNetworkError, -32004},
		"CodeRateLimited":    {CodeRateLimited, -32005},
		"CodeTimeout":        {CodeTimeout, -32007},
		"CodeCapacity":       {CodeCapacity, -32008},
	}
	for name, c := range codes {
		if c[0] != c[1] {
			t.Errorf("%s = %d, want %d", name, c[0], c[1])
		}
	}
}
