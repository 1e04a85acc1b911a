package jsonrpc_test

import (
	"fmt"

	"github.com/lasso-serverless/lasso/shared/jsonrpc"
)

func ExampleDecode() {
	body := []byte(`[
		{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},
		{"jsonrpc":"2.0","id":"a","method":"eth_getBalance","params":{"address":"0x0"}},
		{"jsonrpc":"2.0","method":"eth_subscribe_ack"},
		{},
		42
	]`)
	items, batch, err := jsonrpc.Decode(body, 10)
	if err != nil {
		fmt.Println("whole body rejected:", err)
		return
	}
	fmt.Println("batch:", batch)
	var responses []*jsonrpc.Response
	for _, it := range items {
		switch {
		case it.Err != nil:
			fmt.Printf("invalid: id=%s %v\n", it.Req.ID, it.Err)
			responses = append(responses, jsonrpc.NewErrorResponse(it.Req.ID, it.Err))
		case it.Req.IsNotification():
			fmt.Printf("notification: %s params=%s\n", it.Req.Method, it.Req.Params)
		default:
			fmt.Printf("call: id=%s %s params=%s\n", it.Req.ID, it.Req.Method, it.Req.Params)
		}
	}
	fmt.Printf("%s\n", jsonrpc.AppendBatch(nil, responses))
	// Output:
	// batch: true
	// call: id=1 eth_chainId params=[]
	// call: id="a" eth_getBalance params=[{"address":"0x0"}]
	// notification: eth_subscribe_ack params=[]
	// invalid: id=null jsonrpc error -32600: Invalid Request
	// invalid: id=null jsonrpc error -32600: Invalid Request
	// [{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request"}},{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request"}}]
}
