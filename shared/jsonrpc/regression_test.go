package jsonrpc

import (
	"encoding/json"
	"testing"
)

// Regression tests for wire bugs found by review: each pins the contract.

// Member names are case-sensitive in JSON-RPC (and in Lasso, which decodes to a
// map with exact keys); encoding/json would match "ID" to id.
func TestRegressionDecodeKeysCaseInsensitive(t *testing.T) {
	tests := []struct {
		name string
		body string
		want wantItem
	}{
		{name: "Method is not method", body: `{"jsonrpc":"2.0","Method":"eth_chainId","id":1}`,
			want: wantItem{id: "1", code: CodeInvalidRequest, msg: invalidMsg}},
		{name: "ID is not id so this is a notification", body: `{"jsonrpc":"2.0","method":"eth_chainId","ID":1}`,
			want: wantItem{notif: true, method: "eth_chainId", params: "[]"}},
		{name: "JSONRPC is not jsonrpc", body: `{"JSONRPC":"1.0","method":"eth_chainId","id":1}`,
			want: wantItem{id: "1", method: "eth_chainId", params: "[]"}},
		{name: "PARAMS is not params", body: `{"method":"eth_chainId","id":1,"PARAMS":[5]}`,
			want: wantItem{id: "1", method: "eth_chainId", params: "[]"}},
		{name: "later ID does not override id", body: `{"id":1,"method":"m","ID":{}}`,
			want: wantItem{id: "1", method: "m", params: "[]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, _, err := Decode([]byte(tt.body), 1)
			if err != nil || len(items) != 1 {
				t.Fatalf("Decode(%s) = %v, %v", tt.body, items, err)
			}
			checkItem(t, 0, items[0], tt.want)
		})
	}
}

// An upstream error object needs "code" exactly; "Code" is not it.
func TestRegressionUpstreamErrorKeysCaseInsensitive(t *testing.T) {
	body := `{"jsonrpc":"2.0","id":"1","error":{"Code":1,"MESSAGE":"m"}}`
	if u, err := ParseUpstream([]byte(body), "1"); err == nil {
		t.Errorf("ParseUpstream(%s) = {Error %+v}, nil; want ErrInvalidUpstream (no integer \"code\")", body, u.Error)
	}
}

// An upstream error re-sent with NewErrorResponse is byte for byte what the
// provider sent: no compaction of data, no HTML escaping of <, > and &.
func TestRegressionErrorDataNotByteExact(t *testing.T) {
	tests := []struct{ name, errObj string }{
		{name: "whitespace in data", errObj: `{"code":-32000,"message":"m","data":{ "a" : [ 1, 2 ] }}`},
		{name: "html chars in data", errObj: `{"code":3,"message":"m","data":"a<b && c>d"}`},
		{name: "html chars in message", errObj: `{"code":3,"message":"execution reverted: amount < balance & more"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := mustParseUpstream(t, `{"jsonrpc":"2.0","id":"1","error":`+tt.errObj+`}`, "1")
			got := NewErrorResponse(json.RawMessage(`7`), u.Error).AppendJSON(nil)
			want := `{"jsonrpc":"2.0","id":7,"error":` + tt.errObj + `}`
			if string(got) != want {
				t.Errorf("re-encoded = %s, want %s", got, want)
			}
		})
	}
}

// A nil Result or nil params still encodes as valid JSON (null, []).
func TestRegressionNilRawMessagesProduceInvalidJSON(t *testing.T) {
	if got := NewResult(json.RawMessage(`1`), nil).AppendJSON(nil); !json.Valid(got) {
		t.Errorf("NewResult(1, nil).AppendJSON = %s, want valid JSON (result null)", got)
	}
	if got := AppendUpstream(nil, "1", "m", nil); !json.Valid(got) {
		t.Errorf("AppendUpstream(1, m, nil) = %s, want valid JSON (params [])", got)
	}
}

// Upstream ids compare as decoded strings, so an id spelled with escapes
// (including the spelling AppendUpstream produced) still matches.
func TestRegressionUpstreamIDCompareIgnoresEscapes(t *testing.T) {
	tests := []struct{ name, body, wantID string }{
		{name: "escaped digit", body: `{"jsonrpc":"2.0","id":"\u0031","result":1}`, wantID: "1"},
		{name: "quote echoed as sent", body: `{"jsonrpc":"2.0","id":"a\"b","result":1}`, wantID: `a"b`},
		{name: "backslash echoed as sent", body: `{"jsonrpc":"2.0","id":"a\\b","result":1}`, wantID: `a\b`},
		{name: "html escape echoed as sent", body: `{"jsonrpc":"2.0","id":"\u003cé\u003e","result":1}`, wantID: "<é>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseUpstream([]byte(tt.body), tt.wantID); err != nil {
				t.Errorf("ParseUpstream(%s, %q) err = %v, want nil", tt.body, tt.wantID, err)
			}
		})
	}
}
