package jsonrpc

import "encoding/json"

// Response is one answer to a client call.
//
// A successful upstream answer keeps the provider's bytes: only the id is
// spliced in on encoding, so large results (logs, traces) are never decoded or
// re-encoded. Everything else is built from Result or Error.
type Response struct {
	ID     json.RawMessage
	Result json.RawMessage
	Error  *Error
	// Meta, when set, is added as a "lasso_meta" member (routing metadata
	// the client asked for in the body).
	Meta json.RawMessage

	raw            []byte // upstream body, when passed through
	idStart, idEnd int    // the upstream id's position in raw
}

// NewResult answers id with a locally computed result.
func NewResult(id, result json.RawMessage) *Response {
	return &Response{ID: id, Result: result}
}

// NewErrorResponse answers id with an error.
func NewErrorResponse(id json.RawMessage, err *Error) *Response {
	return &Response{ID: id, Error: err}
}

// Passthrough answers id with the upstream body u, unchanged but for the id.
func Passthrough(id json.RawMessage, u *Upstream) *Response {
	return &Response{ID: id, Result: u.Result, raw: u.Body, idStart: u.idStart, idEnd: u.idEnd}
}

// AppendJSON appends the encoded response to dst.
func (r *Response) AppendJSON(dst []byte) []byte {
	id := r.ID
	if id == nil {
		id = nullID
	}
	if r.raw != nil {
		dst = append(dst, r.raw[:r.idStart]...)
		dst = append(dst, id...)
		if r.Meta == nil {
			return append(dst, r.raw[r.idEnd:]...)
		}
		// Before the object's closing brace (the body is a validated object).
		end := len(r.raw) - 1
		for r.raw[end] != '}' {
			end--
		}
		dst = append(dst, r.raw[r.idEnd:end]...)
		return r.appendMeta(dst)
	}
	dst = append(dst, `{"jsonrpc":"2.0","id":`...)
	dst = append(dst, id...)
	if r.Error != nil {
		dst = append(dst, `,"error":`...)
		dst = r.Error.appendJSON(dst)
	} else {
		dst = append(dst, `,"result":`...)
		if r.Result == nil {
			dst = append(dst, "null"...)
		}
		dst = append(dst, r.Result...)
	}
	return r.appendMeta(dst)
}

// appendMeta closes the object, with the lasso_meta member when there is one.
func (r *Response) appendMeta(dst []byte) []byte {
	if r.Meta != nil {
		dst = append(dst, `,"lasso_meta":`...)
		dst = append(dst, r.Meta...)
	}
	return append(dst, '}')
}

// AppendBatch encodes responses as a JSON array.
func AppendBatch(dst []byte, rs []*Response) []byte {
	dst = append(dst, '[')
	for i, r := range rs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = r.AppendJSON(dst)
	}
	return append(dst, ']')
}
