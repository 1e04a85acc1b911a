package jsonrpc

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

func FuzzDecode(f *testing.F) {
	seeds := []string{
		`{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}`,
		`{"jsonrpc":"2.0","id":"a","method":"eth_call","params":{"to":"0x0"}}`,
		`{"jsonrpc":"2.0","method":"n"}`,
		`{"jsonrpc":"2.0","id":null,"method":"m","params":null}`,
		`{"jsonrpc":"1.0","id":[1],"method":5}`,
		`[{}, 42]`,
		`[{"jsonrpc":"2.0","method":"a"},{"jsonrpc":"2.0","id":null,"method":"b"}]`,
		`[]`,
		`42`,
		`"x"`,
		` [ [ ] , null , {"id":-1.5e3,"method":"\u0061","params":"s"} ] `,
		`{"id":1,"method":"m"`,
	}
	for _, s := range seeds {
		f.Add([]byte(s), uint8(10))
	}
	f.Fuzz(func(t *testing.T, body []byte, maxBatch uint8) {
		items, batch, err := Decode(body, int(maxBatch))
		if (err == ErrParse) != !json.Valid(body) {
			t.Fatalf("Decode(%q) err = %v, but json.Valid = %v", body, err, json.Valid(body))
		}
		if err != nil {
			if items != nil {
				t.Fatalf("Decode(%q) returned items with err %v", body, err)
			}
			if !errors.Is(err, ErrParse) && !errors.Is(err, ErrEmptyBatch) && !errors.Is(err, ErrBatchTooLarge) {
				t.Fatalf("Decode(%q) unexpected err %v", body, err)
			}
			return
		}
		if len(items) == 0 || (!batch && len(items) != 1) || (batch && len(items) > int(maxBatch)) {
			t.Fatalf("Decode(%q) = %d items, batch %v, max %d", body, len(items), batch, maxBatch)
		}
		var rs []*Response
		for i, it := range items {
			if (it.Err == nil) == (it.Req.Method == "") {
				t.Fatalf("item %d of %q: Err %v and Method %q; want exactly one", i, body, it.Err, it.Req.Method)
			}
			if it.Req.ID != nil && !json.Valid(it.Req.ID) {
				t.Fatalf("item %d of %q: ID %q is not JSON", i, body, it.Req.ID)
			}
			if it.Err != nil {
				if it.Err.Code != CodeInvalidRequest || it.Req.ID == nil {
					t.Fatalf("item %d of %q: Err %v with ID %q; want -32600 and a non-nil id", i, body, it.Err, it.Req.ID)
				}
				rs = append(rs, NewErrorResponse(it.Req.ID, it.Err))
				continue
			}
			if len(it.Req.Params) == 0 || it.Req.Params[0] != '[' || !json.Valid(it.Req.Params) {
				t.Fatalf("item %d of %q: Params %q; want a JSON array", i, body, it.Req.Params)
			}
			rs = append(rs, NewResult(it.Req.ID, it.Req.Params))
			if up := AppendUpstream(nil, "1", it.Req.Method, it.Req.Params); !json.Valid(up) {
				t.Fatalf("item %d of %q: AppendUpstream = %q, not JSON", i, body, up)
			}
		}
		if out := AppendBatch(nil, rs); !json.Valid(out) {
			t.Fatalf("responses for %q encode to invalid JSON %q", body, out)
		}
	})
}

func FuzzParseUpstream(f *testing.F) {
	seeds := []struct{ body, id string }{
		{`{"jsonrpc":"2.0","id":"1","result":"0x1"}`, "1"},
		{`{"jsonrpc":"2.0","id":"1","result":{"s":"}\"{[","t":["]"]}}`, "1"},
		{" { \"result\" : [ 1 , 2 ] , \"id\" : \"abc\" , \"jsonrpc\" : \"2.0\" , \"x\" : null } ", "abc"},
		{`{"jsonrpc":"2.0","\u0069d":"7","result":null}`, "7"},
		{`{"jsonrpc":"2.0","id":"1","error":{"code":3,"message":"execution reverted","data":"0x08c379a0"}}`, "1"},
		{`{"jsonrpc":"2.0","id":"1","error":{"code":"x"}}`, "1"},
		{`{"jsonrpc":"2.0","id":"1","result":1,"method":"m"}`, "1"},
		{`[{"jsonrpc":"2.0","id":"1","result":1}]`, "1"},
		{`{"jsonrpc":"2.0","id":1,"result":1}`, "1"},
		{`{"jsonrpc":"2.0","id":"1","result":1,"result":2}`, "1"},
	}
	for _, s := range seeds {
		f.Add([]byte(s.body), s.id)
	}
	f.Fuzz(func(t *testing.T, body []byte, wantID string) {
		orig := bytes.Clone(body)
		u, err := ParseUpstream(body, wantID)
		if err != nil {
			if u != nil || !errors.Is(err, ErrInvalidUpstream) {
				t.Fatalf("ParseUpstream(%q) = %v, %v; want nil and ErrInvalidUpstream", body, u, err)
			}
			return
		}
		if !bytes.Equal(body, orig) {
			t.Fatalf("ParseUpstream modified its input")
		}
		var in map[string]json.RawMessage
		if err := json.Unmarshal(body, &in); err != nil {
			t.Fatalf("accepted %q, which is not a JSON object: %v", body, err)
		}
		var gotID string
		if err := json.Unmarshal(in["id"], &gotID); err != nil || gotID != wantID {
			t.Fatalf("accepted %q for id %q, but its id is %s", body, wantID, in["id"])
		}
		if string(in["jsonrpc"]) != `"2.0"` || (in["result"] == nil) == (in["error"] == nil) || in["method"] != nil {
			t.Fatalf("accepted %q, which is not a JSON-RPC 2.0 response", body)
		}
		if (u.Result == nil) == (u.Error == nil) {
			t.Fatalf("accepted %q with Result %q and Error %v", body, u.Result, u.Error)
		}

		out := Passthrough(json.RawMessage(`7`), u).AppendJSON(nil)
		var got map[string]json.RawMessage
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("Passthrough(7) of %q = %q, not a JSON object: %v", body, out, err)
		}
		if string(got["id"]) != "7" {
			t.Fatalf("Passthrough(7) of %q has id %s", body, got["id"])
		}
		if len(got) != len(in) {
			t.Fatalf("Passthrough(7) of %q has %d keys, want %d", body, len(got), len(in))
		}
		for k, v := range in {
			if k != "id" && !bytes.Equal(got[k], v) {
				t.Fatalf("Passthrough(7) of %q: field %q = %s, want %s", body, k, got[k], v)
			}
		}
		if u.Error != nil {
			if e := NewErrorResponse(json.RawMessage(`7`), u.Error).AppendJSON(nil); !json.Valid(e) {
				t.Fatalf("re-encoded error of %q = %q, not JSON", body, e)
			}
		}
	})
}
