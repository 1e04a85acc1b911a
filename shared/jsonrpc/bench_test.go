package jsonrpc

import (
	"encoding/json"
	"strings"
	"testing"
)

func BenchmarkDecodeSingle(b *testing.B) {
	body := []byte(`{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["0x00000000219ab540356cbb839cbe05303d7705fa","latest"]}`)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		items, _, err := Decode(body, 100)
		if err != nil || items[0].Err != nil {
			b.Fatal(err)
		}
	}
}

// upstreamBody2K is a ~2 KB eth_getBlockByNumber-style response.
func upstreamBody2K() []byte {
	var sb strings.Builder
	sb.WriteString(`{"jsonrpc":"2.0","id":"12345","result":{"number":"0x1234567","hash":"0x`)
	sb.WriteString(strings.Repeat("ab", 32))
	sb.WriteString(`","transactions":[`)
	for i := 0; sb.Len() < 2000; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(`"0x` + strings.Repeat("cd", 32) + `"`)
	}
	sb.WriteString(`],"extraData":"\"}{]["}}`)
	return []byte(sb.String())
}

func BenchmarkParseUpstream(b *testing.B) {
	body := upstreamBody2K()
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := ParseUpstream(body, "12345"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPassthroughAppend(b *testing.B) {
	body := upstreamBody2K()
	u, err := ParseUpstream(body, "12345")
	if err != nil {
		b.Fatal(err)
	}
	id := json.RawMessage(`"client-42"`)
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		buf = Passthrough(id, u).AppendJSON(buf[:0])
	}
	_ = buf
}
