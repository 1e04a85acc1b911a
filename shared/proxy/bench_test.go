package proxy_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/proxy"
)

// echoTransport answers every request with a fixed result and the request's
// private id, without recording anything.
type echoTransport struct{}

var (
	idPrefix = []byte(`{"jsonrpc":"2.0","id":"`)
	okHead   = []byte(`{"jsonrpc":"2.0","id":"`)
	okTail   = []byte(`","result":"0x1234567"}`)
)

func (echoTransport) Send(_ context.Context, _ *profile.Provider, body []byte) (proxy.Reply, error) {
	rest := body[len(idPrefix):]
	id := rest[:bytes.IndexByte(rest, '"')]
	out := make([]byte, 0, len(okHead)+len(id)+len(okTail))
	out = append(append(append(out, okHead...), id...), okTail...)
	return proxy.Reply{Status: 200, Body: out}, nil
}

func BenchmarkForwarder(b *testing.B) {
	f := proxy.NewForwarder(fixedPlanner(providers("A", "B", "C")), admitted{}, echoTransport{}, proxy.Options{})
	ctx := context.Background()
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	tmpl := call("eth_blockNumber", `1`, `[]`)
	for b.Loop() {
		c := &proxy.Call{Request: tmpl.Request, Chain: tmpl.Chain, Strategy: tmpl.Strategy, RequestID: tmpl.RequestID}
		resp, err := f.Serve(ctx, c)
		if err != nil {
			b.Fatal(err)
		}
		buf = resp.AppendJSON(buf[:0])
	}
}
