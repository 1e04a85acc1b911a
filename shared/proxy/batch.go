package proxy

import (
	"context"
	"sync"

	"github.com/lasso-serverless/lasso/shared/jsonrpc"
)

// Result is one served call of a batch.
type Result struct {
	Resp *jsonrpc.Response
	Err  error
}

// ServeAll serves calls with at most limit in flight and returns results in
// call order. Every goroutine it starts has finished when it returns: on
// Lambda nothing may outlive the invocation.
func ServeAll(ctx context.Context, h Handler, calls []*Call, limit int) []Result {
	results := make([]Result, len(calls))
	if len(calls) == 1 {
		results[0].Resp, results[0].Err = h.Serve(ctx, calls[0])
		return results
	}
	sem := make(chan struct{}, max(limit, 1))
	var wg sync.WaitGroup
	for i, c := range calls {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			results[i].Resp, results[i].Err = h.Serve(ctx, c)
		}()
	}
	wg.Wait()
	return results
}
