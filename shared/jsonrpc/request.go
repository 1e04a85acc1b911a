package jsonrpc

import (
	"bytes"
	"encoding/json"
	"errors"
)

// Request is one decoded client call.
type Request struct {
	// ID is the raw JSON id as the client sent it; nil means the key was
	// absent (a notification), while `null` is a real id that gets an answer.
	ID     json.RawMessage
	Method string
	// Params is always a JSON array: absent or null becomes [], an object or
	// scalar is wrapped in a one-element array (Lasso's normalisation).
	Params json.RawMessage
}

// IsNotification reports whether the client expects no response.
func (r *Request) IsNotification() bool { return r.ID == nil }

// Item is one member of a decoded body. Exactly one of Req and Err is
// meaningful: Err is set for a member that is not a valid call, and then
// Req.ID holds the member's id if it had a usable one (else null).
type Item struct {
	Req Request
	Err *Error
}

// ErrParse means the body is not JSON at all.
var ErrParse = errors.New("parse error: invalid JSON")

// ErrEmptyBatch and ErrBatchTooLarge reject a whole batch with one error.
var (
	ErrEmptyBatch    = errors.New("empty batch")
	ErrBatchTooLarge = errors.New("batch too large")
)

var nullID = json.RawMessage("null")

// Decode parses a client body. batch reports whether it was a JSON array (then
// the answer is an array too). A body that is valid JSON but neither an object
// nor an array decodes to one invalid Item, like any other malformed call.
func Decode(body []byte, maxBatch int) (items []Item, batch bool, err error) {
	if !json.Valid(body) {
		return nil, false, ErrParse
	}
	body = bytes.TrimSpace(body)
	if body[0] != '[' {
		return []Item{decodeItem(body)}, false, nil
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(body, &raws); err != nil {
		return nil, true, ErrParse
	}
	if len(raws) == 0 {
		return nil, true, ErrEmptyBatch
	}
	if len(raws) > maxBatch {
		return nil, true, ErrBatchTooLarge
	}
	items = make([]Item, len(raws))
	for i, raw := range raws {
		items[i] = decodeItem(raw)
	}
	return items, true, nil
}

var (
	errInvalid        = NewError(CodeInvalidRequest, "Invalid Request")
	errInvalidVersion = NewError(CodeInvalidRequest, `Invalid Request: jsonrpc must be "2.0"`)
)

func decodeItem(raw json.RawMessage) Item {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return Item{Req: Request{ID: nullID}, Err: errInvalid}
	}
	var w struct{ jsonrpc, id, method, params []byte }
	members(raw, func(m member) bool {
		switch string(m.key) {
		case "jsonrpc":
			w.jsonrpc = m.val
		case "id":
			w.id = m.val
		case "method":
			w.method = m.val
		case "params":
			w.params = m.val
		}
		return true
	})
	if w.id != nil && !validID(w.id) {
		return Item{Req: Request{ID: nullID}, Err: errInvalid}
	}
	id := json.RawMessage(w.id)
	invalid := func(e *Error) Item {
		if id == nil {
			id = nullID
		}
		return Item{Req: Request{ID: id}, Err: e}
	}
	if w.jsonrpc != nil && string(w.jsonrpc) != `"2.0"` {
		return invalid(errInvalidVersion)
	}
	method, ok := decodeString(w.method)
	if !ok || method == "" {
		return invalid(errInvalid)
	}
	return Item{Req: Request{ID: id, Method: method, Params: normaliseParams(w.params)}}
}

// validID accepts what JSON-RPC allows as an id: a string, a number or null.
func validID(id json.RawMessage) bool {
	switch c := id[0]; {
	case c == '"', c == '-', c >= '0' && c <= '9':
		return true
	default:
		return string(id) == "null"
	}
}

var emptyParams = json.RawMessage("[]")

func normaliseParams(p json.RawMessage) json.RawMessage {
	p = bytes.TrimSpace(p)
	switch {
	case len(p) == 0 || string(p) == "null":
		return emptyParams
	case p[0] == '[':
		return p
	default:
		wrapped := make(json.RawMessage, 0, len(p)+2)
		wrapped = append(wrapped, '[')
		wrapped = append(wrapped, p...)
		return append(wrapped, ']')
	}
}

// EmptyParams reports whether params is the empty array.
func EmptyParams(p json.RawMessage) bool {
	p = bytes.TrimSpace(p)
	if len(p) < 2 || p[0] != '[' || p[len(p)-1] != ']' {
		return false
	}
	return len(bytes.TrimSpace(p[1:len(p)-1])) == 0
}
