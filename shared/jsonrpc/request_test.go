package jsonrpc

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// wantItem describes one expected decoded Item. notif means Req.ID must be nil
// (id key absent); otherwise Req.ID must equal id byte for byte. code == 0
// means a valid call, and then method and params are checked.
type wantItem struct {
	id     string
	notif  bool
	method string
	params string
	code   int
	msg    string
}

func checkItem(t *testing.T, idx int, got Item, want wantItem) {
	t.Helper()
	switch {
	case want.notif && got.Req.ID != nil:
		t.Errorf("item %d: Req.ID = %q, want nil (notification)", idx, got.Req.ID)
	case !want.notif && got.Req.ID == nil:
		t.Errorf("item %d: Req.ID = nil (notification), want %s", idx, want.id)
	case !want.notif && string(got.Req.ID) != want.id:
		t.Errorf("item %d: Req.ID = %s, want %s", idx, got.Req.ID, want.id)
	}
	if got.Req.IsNotification() != want.notif {
		t.Errorf("item %d: IsNotification() = %v, want %v", idx, got.Req.IsNotification(), want.notif)
	}
	if want.code != 0 {
		if got.Err == nil {
			t.Errorf("item %d: Err = nil (method %q), want code %d", idx, got.Req.Method, want.code)
			return
		}
		if got.Err.Code != want.code || got.Err.Message != want.msg {
			t.Errorf("item %d: Err = {%d %q}, want {%d %q}", idx, got.Err.Code, got.Err.Message, want.code, want.msg)
		}
		return
	}
	if got.Err != nil {
		t.Errorf("item %d: Err = {%d %q}, want a valid call", idx, got.Err.Code, got.Err.Message)
		return
	}
	if got.Req.Method != want.method {
		t.Errorf("item %d: Method = %q, want %q", idx, got.Req.Method, want.method)
	}
	if string(got.Req.Params) != want.params {
		t.Errorf("item %d: Params = %s, want %s", idx, got.Req.Params, want.params)
	}
}

const invalidMsg = "Invalid Request"
const versionMsg = `Invalid Request: jsonrpc must be "2.0"`

func invalidNull() wantItem { return wantItem{id: "null", code: CodeInvalidRequest, msg: invalidMsg} }

func TestDecode(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		maxBatch  int
		wantBatch bool
		wantErr   error
		want      []wantItem
	}{
		// Whole-body failures.
		{name: "empty body", body: ``, wantErr: ErrParse},
		{name: "whitespace body", body: " \n\t", wantErr: ErrParse},
		{name: "truncated object", body: `{"jsonrpc":"2.0","id":1,"method":"x"`, wantErr: ErrParse},
		{name: "truncated batch", body: `[{"jsonrpc":"2.0","id":1,"method":"x"}`, wantErr: ErrParse},
		{name: "trailing garbage", body: `{"id":1,"method":"x"} x`, wantErr: ErrParse},
		{name: "two objects", body: `{"id":1,"method":"x"}{"id":2,"method":"y"}`, wantErr: ErrParse},
		{name: "trailing comma", body: `{"id":1,"method":"x",}`, wantErr: ErrParse},
		{name: "single quotes", body: `{'id':1,'method':'x'}`, wantErr: ErrParse},
		{name: "empty batch", body: `[]`, wantBatch: true, wantErr: ErrEmptyBatch},
		{name: "empty batch with whitespace", body: " [ \n ] ", wantBatch: true, wantErr: ErrEmptyBatch},
		{name: "batch over limit", body: `[1,2,3]`, maxBatch: 2, wantBatch: true, wantErr: ErrBatchTooLarge},
		{name: "batch over zero limit", body: `[{"id":1,"method":"x"}]`, maxBatch: 0, wantBatch: true, wantErr: ErrBatchTooLarge},

		// Valid single calls.
		{name: "minimal call", body: `{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`,
			want: []wantItem{{id: "1", method: "eth_chainId", params: "[]"}}},
		{name: "jsonrpc absent is ok", body: `{"id":1,"method":"eth_chainId","params":[]}`,
			want: []wantItem{{id: "1", method: "eth_chainId", params: "[]"}}},
		{name: "surrounding whitespace", body: "\r\n\t {\"id\":1,\"method\":\"m\"} \n",
			want: []wantItem{{id: "1", method: "m", params: "[]"}}},
		{name: "string id kept with quotes", body: `{"jsonrpc":"2.0","id":"a","method":"m"}`,
			want: []wantItem{{id: `"a"`, method: "m", params: "[]"}}},
		{name: "empty string id", body: `{"id":"","method":"m"}`,
			want: []wantItem{{id: `""`, method: "m", params: "[]"}}},
		{name: "escaped string id kept raw", body: `{"id":"a\"b\u00e9","method":"m"}`,
			want: []wantItem{{id: `"a\"b\u00e9"`, method: "m", params: "[]"}}},
		{name: "integer id", body: `{"id":7,"method":"m"}`,
			want: []wantItem{{id: "7", method: "m", params: "[]"}}},
		{name: "zero id", body: `{"id":0,"method":"m"}`,
			want: []wantItem{{id: "0", method: "m", params: "[]"}}},
		{name: "negative id", body: `{"id":-3,"method":"m"}`,
			want: []wantItem{{id: "-3", method: "m", params: "[]"}}},
		{name: "float id kept as written", body: `{"id":1.50,"method":"m"}`,
			want: []wantItem{{id: "1.50", method: "m", params: "[]"}}},
		{name: "exponent id kept as written", body: `{"id":1e3,"method":"m"}`,
			want: []wantItem{{id: "1e3", method: "m", params: "[]"}}},
		{name: "huge integer id kept exactly", body: `{"id":123456789012345678901234567890,"method":"m"}`,
			want: []wantItem{{id: "123456789012345678901234567890", method: "m", params: "[]"}}},
		{name: "null id is not a notification", body: `{"jsonrpc":"2.0","id":null,"method":"m"}`,
			want: []wantItem{{id: "null", method: "m", params: "[]"}}},
		{name: "absent id is a notification", body: `{"jsonrpc":"2.0","method":"m","params":[1]}`,
			want: []wantItem{{notif: true, method: "m", params: "[1]"}}},
		{name: "key order irrelevant", body: `{"params":[true],"method":"m","id":2,"jsonrpc":"2.0"}`,
			want: []wantItem{{id: "2", method: "m", params: "[true]"}}},
		{name: "unknown keys ignored", body: `{"id":1,"method":"m","extra":{"a":[1]}}`,
			want: []wantItem{{id: "1", method: "m", params: "[]"}}},
		{name: "escaped method decoded", body: `{"id":1,"method":"eth_\u0063hainId"}`,
			want: []wantItem{{id: "1", method: "eth_chainId", params: "[]"}}},
		{name: "unicode method", body: `{"id":1,"method":"é\"\\"}`,
			want: []wantItem{{id: "1", method: "é\"\\", params: "[]"}}},

		// Params normalisation.
		{name: "params null", body: `{"id":1,"method":"m","params":null}`,
			want: []wantItem{{id: "1", method: "m", params: "[]"}}},
		{name: "params empty array", body: `{"id":1,"method":"m","params":[]}`,
			want: []wantItem{{id: "1", method: "m", params: "[]"}}},
		{name: "params array kept as is", body: `{"id":1,"method":"m","params":[ "0x1" , {"a" : 1} ]}`,
			want: []wantItem{{id: "1", method: "m", params: `[ "0x1" , {"a" : 1} ]`}}},
		{name: "params object wrapped", body: `{"id":1,"method":"m","params":{"to":"0x0"}}`,
			want: []wantItem{{id: "1", method: "m", params: `[{"to":"0x0"}]`}}},
		{name: "params empty object wrapped", body: `{"id":1,"method":"m","params":{}}`,
			want: []wantItem{{id: "1", method: "m", params: `[{}]`}}},
		{name: "params string wrapped", body: `{"id":1,"method":"m","params":"latest"}`,
			want: []wantItem{{id: "1", method: "m", params: `["latest"]`}}},
		{name: "params number wrapped", body: `{"id":1,"method":"m","params":5}`,
			want: []wantItem{{id: "1", method: "m", params: `[5]`}}},
		{name: "params bool wrapped", body: `{"id":1,"method":"m","params":false}`,
			want: []wantItem{{id: "1", method: "m", params: `[false]`}}},

		// Invalid single members.
		{name: "number body", body: `42`, want: []wantItem{invalidNull()}},
		{name: "string body", body: `"x"`, want: []wantItem{invalidNull()}},
		{name: "null body", body: `null`, want: []wantItem{invalidNull()}},
		{name: "true body", body: `true`, want: []wantItem{invalidNull()}},
		{name: "empty object", body: `{}`, want: []wantItem{invalidNull()}},
		{name: "missing method keeps id", body: `{"jsonrpc":"2.0","id":5}`,
			want: []wantItem{{id: "5", code: CodeInvalidRequest, msg: invalidMsg}}},
		{name: "missing method keeps string id", body: `{"id":"q"}`,
			want: []wantItem{{id: `"q"`, code: CodeInvalidRequest, msg: invalidMsg}}},
		{name: "missing method notification gets null id", body: `{"jsonrpc":"2.0"}`,
			want: []wantItem{invalidNull()}},
		{name: "empty method", body: `{"id":1,"method":""}`,
			want: []wantItem{{id: "1", code: CodeInvalidRequest, msg: invalidMsg}}},
		{name: "null method", body: `{"id":1,"method":null}`,
			want: []wantItem{{id: "1", code: CodeInvalidRequest, msg: invalidMsg}}},
		{name: "number method", body: `{"id":1,"method":5}`,
			want: []wantItem{{id: "1", code: CodeInvalidRequest, msg: invalidMsg}}},
		{name: "array method", body: `{"id":1,"method":["m"]}`,
			want: []wantItem{{id: "1", code: CodeInvalidRequest, msg: invalidMsg}}},
		{name: "object method", body: `{"id":1,"method":{"m":1}}`,
			want: []wantItem{{id: "1", code: CodeInvalidRequest, msg: invalidMsg}}},
		{name: "object id", body: `{"id":{"a":1},"method":"m"}`, want: []wantItem{invalidNull()}},
		{name: "array id", body: `{"id":[1],"method":"m"}`, want: []wantItem{invalidNull()}},
		{name: "true id", body: `{"id":true,"method":"m"}`, want: []wantItem{invalidNull()}},
		{name: "false id", body: `{"id":false,"method":"m"}`, want: []wantItem{invalidNull()}},
		{name: "bad id wins over bad version", body: `{"jsonrpc":"1.0","id":[],"method":"m"}`,
			want: []wantItem{invalidNull()}},
		{name: "jsonrpc 1.0", body: `{"jsonrpc":"1.0","id":1,"method":"m"}`,
			want: []wantItem{{id: "1", code: CodeInvalidRequest, msg: versionMsg}}},
		{name: "jsonrpc number 2.0", body: `{"jsonrpc":2.0,"id":"x","method":"m"}`,
			want: []wantItem{{id: `"x"`, code: CodeInvalidRequest, msg: versionMsg}}},
		{name: "jsonrpc null", body: `{"jsonrpc":null,"id":3,"method":"m"}`,
			want: []wantItem{{id: "3", code: CodeInvalidRequest, msg: versionMsg}}},
		{name: "jsonrpc empty string", body: `{"jsonrpc":"","id":3,"method":"m"}`,
			want: []wantItem{{id: "3", code: CodeInvalidRequest, msg: versionMsg}}},
		{name: "bad version notification gets null id", body: `{"jsonrpc":"3.0","method":"m"}`,
			want: []wantItem{{id: "null", code: CodeInvalidRequest, msg: versionMsg}}},
		{name: "bad version with null id", body: `{"jsonrpc":"3.0","id":null,"method":"m"}`,
			want: []wantItem{{id: "null", code: CodeInvalidRequest, msg: versionMsg}}},
		{name: "bad version checked before method", body: `{"jsonrpc":"1.0","id":4}`,
			want: []wantItem{{id: "4", code: CodeInvalidRequest, msg: versionMsg}}},

		// Batches.
		{name: "batch of one", body: `[{"jsonrpc":"2.0","id":1,"method":"m"}]`, maxBatch: 1, wantBatch: true,
			want: []wantItem{{id: "1", method: "m", params: "[]"}}},
		{name: "batch at limit", body: `[{"id":1,"method":"a"},{"id":2,"method":"b"}]`, maxBatch: 2, wantBatch: true,
			want: []wantItem{{id: "1", method: "a", params: "[]"}, {id: "2", method: "b", params: "[]"}}},
		{name: "batch of empty object and number", body: `[{}, 42]`, maxBatch: 10, wantBatch: true,
			want: []wantItem{invalidNull(), invalidNull()}},
		{name: "batch of notification and null id", body: `[{"jsonrpc":"2.0","method":"a"},{"jsonrpc":"2.0","id":null,"method":"b"}]`,
			maxBatch: 10, wantBatch: true,
			want: []wantItem{{notif: true, method: "a", params: "[]"}, {id: "null", method: "b", params: "[]"}}},
		{name: "batch mixed valid and invalid in order", body: `[{"id":"a","method":"x","params":{"k":1}}, null, {"id":7,"jsonrpc":"1.0","method":"y"}, [], {"id":8,"method":"z","params":"p"}]`,
			maxBatch: 10, wantBatch: true,
			want: []wantItem{
				{id: `"a"`, method: "x", params: `[{"k":1}]`},
				invalidNull(),
				{id: "7", code: CodeInvalidRequest, msg: versionMsg},
				invalidNull(),
				{id: "8", method: "z", params: `["p"]`},
			}},
		{name: "batch of scalars", body: `[1,"x",true,null]`, maxBatch: 10, wantBatch: true,
			want: []wantItem{invalidNull(), invalidNull(), invalidNull(), invalidNull()}},
		{name: "nested batch is one invalid member", body: `[[{"id":1,"method":"m"}]]`, maxBatch: 10, wantBatch: true,
			want: []wantItem{invalidNull()}},
		{name: "batch with whitespace around members", body: "[ \n{\"id\":1,\"method\":\"m\"}\t, {\"id\":2,\"method\":\"n\"} ]", maxBatch: 10, wantBatch: true,
			want: []wantItem{{id: "1", method: "m", params: "[]"}, {id: "2", method: "n", params: "[]"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, batch, err := Decode([]byte(tt.body), tt.maxBatch)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("Decode(%q) err = %v, want %v", tt.body, err, tt.wantErr)
			}
			if tt.wantErr != nil && items != nil {
				t.Errorf("Decode(%q) items = %v, want nil on error", tt.body, items)
			}
			if batch != tt.wantBatch {
				t.Errorf("Decode(%q) batch = %v, want %v", tt.body, batch, tt.wantBatch)
			}
			if len(items) != len(tt.want) {
				t.Fatalf("Decode(%q) got %d items, want %d", tt.body, len(items), len(tt.want))
			}
			for i := range items {
				checkItem(t, i, items[i], tt.want[i])
			}
		})
	}
}

// TestDecodeIDTypePreserved checks that ids survive as the same JSON type: a
// client sending "a" must get "a" back, not a, and 7 must stay 7, not "7".
func TestDecodeIDTypePreserved(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		wantType string // what encoding/json decodes the id into
		wantVal  any
	}{
		{name: "string a", body: `{"jsonrpc":"2.0","id":"a","method":"m"}`, wantType: "string", wantVal: "a"},
		{name: "string 7", body: `{"jsonrpc":"2.0","id":"7","method":"m"}`, wantType: "string", wantVal: "7"},
		{name: "int 7", body: `{"jsonrpc":"2.0","id":7,"method":"m"}`, wantType: "number", wantVal: json.Number("7")},
		{name: "null", body: `{"jsonrpc":"2.0","id":null,"method":"m"}`, wantType: "null", wantVal: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, _, err := Decode([]byte(tt.body), 1)
			if err != nil || len(items) != 1 || items[0].Err != nil {
				t.Fatalf("Decode(%s) = %v, %v; want one valid item", tt.body, items, err)
			}
			out := NewResult(items[0].Req.ID, json.RawMessage(`true`)).AppendJSON(nil)
			dec := json.NewDecoder(bytes.NewReader(out))
			dec.UseNumber()
			var resp struct {
				ID any `json:"id"`
			}
			if err := dec.Decode(&resp); err != nil {
				t.Fatalf("response %s is not JSON: %v", out, err)
			}
			var gotType string
			switch resp.ID.(type) {
			case string:
				gotType = "string"
			case json.Number:
				gotType = "number"
			case nil:
				gotType = "null"
			default:
				gotType = "other"
			}
			if gotType != tt.wantType || resp.ID != tt.wantVal {
				t.Errorf("response id = %#v (%s), want %#v (%s); body %s", resp.ID, gotType, tt.wantVal, tt.wantType, out)
			}
		})
	}
}

// TestDecodeDoesNotAliasBody checks that decoded ids and params stay valid when
// the caller reuses the body buffer (e.g. a pooled read buffer).
func TestDecodeDoesNotAliasBody(t *testing.T) {
	body := []byte(`[{"id":"abc","method":"m","params":[1,2]},{"id":9,"method":"n","params":{"x":1}}]`)
	items, _, err := Decode(body, 10)
	if err != nil {
		t.Fatal(err)
	}
	for i := range body {
		body[i] = 'X'
	}
	if got := string(items[0].Req.ID); got != `"abc"` {
		t.Errorf("item 0 ID after reuse = %s, want \"abc\"", got)
	}
	if got := string(items[0].Req.Params); got != `[1,2]` {
		t.Errorf("item 0 Params after reuse = %s, want [1,2]", got)
	}
	if got := string(items[1].Req.Params); got != `[{"x":1}]` {
		t.Errorf("item 1 Params after reuse = %s, want [{\"x\":1}]", got)
	}
}

func TestDecodeLargeBatchWithinLimit(t *testing.T) {
	const n = 1000
	var b strings.Builder
	b.WriteByte('[')
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"jsonrpc":"2.0","id":`)
		b.WriteString(strings.Repeat("1", 1+i%5))
		b.WriteString(`,"method":"eth_blockNumber"}`)
	}
	b.WriteByte(']')
	items, batch, err := Decode([]byte(b.String()), n)
	if err != nil || !batch || len(items) != n {
		t.Fatalf("Decode(%d-item batch, max %d) = %d items, batch %v, err %v; want %d, true, nil", n, n, len(items), batch, err, n)
	}
	for i, it := range items {
		if want := strings.Repeat("1", 1+i%5); string(it.Req.ID) != want || it.Err != nil {
			t.Fatalf("item %d: ID %s Err %v, want ID %s and no error", i, it.Req.ID, it.Err, want)
		}
	}
	if _, _, err := Decode([]byte(b.String()), n-1); !errors.Is(err, ErrBatchTooLarge) {
		t.Errorf("Decode(%d-item batch, max %d) err = %v, want ErrBatchTooLarge", n, n-1, err)
	}
}

func TestEmptyParams(t *testing.T) {
	tests := []struct {
		name   string
		params string
		nilArg bool
		want   bool
	}{
		{name: "empty array", params: `[]`, want: true},
		{name: "empty array with inner space", params: `[ ]`, want: true},
		{name: "empty array with newlines and tabs", params: "[\n\t\r ]", want: true},
		{name: "empty array with outer space", params: " \n[]\t", want: true},
		{name: "nil", nilArg: true, want: false},
		{name: "empty bytes", params: ``, want: false},
		{name: "null", params: `null`, want: false},
		{name: "empty object", params: `{}`, want: false},
		{name: "one element", params: `[1]`, want: false},
		{name: "empty string element", params: `[""]`, want: false},
		{name: "nested empty array", params: `[[]]`, want: false},
		{name: "null element", params: `[null]`, want: false},
		{name: "lone bracket", params: `[`, want: false},
		{name: "string", params: `"[]"`, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p json.RawMessage
			if !tt.nilArg {
				p = json.RawMessage(tt.params)
			}
			if got := EmptyParams(p); got != tt.want {
				t.Errorf("EmptyParams(%q) = %v, want %v", tt.params, got, tt.want)
			}
		})
	}
}

// TestEmptyParamsAfterDecode ties EmptyParams to Decode's normalisation: every
// way of sending "no params" must look empty to the eth_chainId fast path.
func TestEmptyParamsAfterDecode(t *testing.T) {
	tests := []struct {
		name string
		body string
		want bool
	}{
		{name: "absent", body: `{"id":1,"method":"eth_chainId"}`, want: true},
		{name: "null", body: `{"id":1,"method":"eth_chainId","params":null}`, want: true},
		{name: "empty array", body: `{"id":1,"method":"eth_chainId","params":[]}`, want: true},
		{name: "spaced empty array", body: `{"id":1,"method":"eth_chainId","params":[ ]}`, want: true},
		{name: "empty object", body: `{"id":1,"method":"eth_chainId","params":{}}`, want: false},
		{name: "one param", body: `{"id":1,"method":"eth_chainId","params":["x"]}`, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, _, err := Decode([]byte(tt.body), 1)
			if err != nil || len(items) != 1 || items[0].Err != nil {
				t.Fatalf("Decode(%s) = %v, %v", tt.body, items, err)
			}
			if got := EmptyParams(items[0].Req.Params); got != tt.want {
				t.Errorf("EmptyParams(%s) = %v, want %v", items[0].Req.Params, got, tt.want)
			}
		})
	}
}
