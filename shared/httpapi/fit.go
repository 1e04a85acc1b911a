package httpapi

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/lasso-serverless/lasso/shared/jsonrpc"
)

// FitResponse makes a JSON-RPC response body no longer than limit bytes,
// for a transport that cannot carry more (a Lambda function answers API
// Gateway with at most 6 MB and an ALB with at most 1 MB; past that the
// client would get the gateway's bare 502 instead of an answer). A body
// within the limit comes back as it is.
//
// In a batch, the largest answers are replaced one by one by a "response too
// large" error carrying the same id until the batch fits, so the small
// answers still arrive and every call is accounted for; a single answer is
// replaced by that error. A body that is not JSON-RPC (it never is: the
// handler writes it) becomes one such error with id null rather than a
// truncated document.
func FitResponse(body []byte, limit int) []byte {
	if len(body) <= limit {
		return body
	}
	start := jsonrpc.SkipSpace(body, 0)
	if start < len(body) && body[start] == '[' {
		if items, ok := arrayItems(body, start); ok {
			return fitBatch(items, len(body), limit)
		}
	}
	return tooLarge(responseID(body, start), len(body), limit)
}

// fitBatch replaces the largest items first: the fewest calls lose their
// answer for the batch to fit.
func fitBatch(items [][]byte, size, limit int) []byte {
	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return len(items[b]) - len(items[a]) })
	for _, i := range order {
		if size <= limit {
			break
		}
		repl := tooLarge(responseID(items[i], 0), len(items[i]), limit)
		if len(repl) >= len(items[i]) {
			continue
		}
		size -= len(items[i]) - len(repl)
		items[i] = repl
	}
	return append(append([]byte{'['}, bytes.Join(items, []byte{','})...), ']')
}

// tooLarge is the error answer that stands in for a response of size bytes.
// Its code is the internal-error one: nothing was wrong with the request as
// such, but the client must ask for less (a smaller block range, fewer
// calls per batch), which the message and data say.
func tooLarge(id []byte, size, limit int) []byte {
	e := &jsonrpc.Error{
		Code: jsonrpc.CodeInternalError,
		Message: fmt.Sprintf("Response too large: %d bytes exceed this endpoint's %d-byte limit; "+
			"request less (a smaller block range or fewer calls per batch)", size, limit),
		Data: map[string]any{"error_type": "response_too_large", "size_bytes": size, "limit_bytes": limit},
	}
	return jsonrpc.NewErrorResponse(id, e).AppendJSON(nil)
}

// arrayItems splits the JSON array at b[i] into its raw elements.
func arrayItems(b []byte, i int) ([][]byte, bool) {
	var items [][]byte
	i = jsonrpc.SkipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return items, true
	}
	for i < len(b) {
		end := jsonrpc.SkipValue(b, i)
		if end <= i {
			return nil, false
		}
		items = append(items, b[i:end])
		i = jsonrpc.SkipSpace(b, end)
		if i >= len(b) {
			return nil, false
		}
		switch b[i] {
		case ']':
			return items, true
		case ',':
			i = jsonrpc.SkipSpace(b, i+1)
		default:
			return nil, false
		}
	}
	return nil, false
}

// responseID is the raw id of the response object at b[i], or nil (id null)
// when there is none.
func responseID(b []byte, i int) []byte {
	i = jsonrpc.SkipSpace(b, i)
	if i >= len(b) || b[i] != '{' {
		return nil
	}
	var id []byte
	jsonrpc.EachMember(b, i, func(key, val []byte) bool {
		if string(key) == "id" {
			id = bytes.Clone(val)
			return false
		}
		return true
	})
	return id
}
