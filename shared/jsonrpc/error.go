package jsonrpc

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// Standard and Lasso-specific error codes. The Lasso codes are part of the wire
// contract clients already match on, so they must not change.
const (
	CodeParseError     = -32700
	CodeInvalidRequest = -32600
	CodeMethodNotFound = -32601
	CodeInvalidParams  = -32602
	CodeInternalError  = -32603
	CodeServerError    = -32000
	CodeUpstreamHTTP   = -32002
	CodeClientError    = -32003
	CodeNetworkError   = -32004
	CodeRateLimited    = -32005
	CodeTimeout        = -32007
	CodeCapacity       = -32008
)

// Error is a JSON-RPC error object. It is also a Go error, so a handler can
// return one to mean "answer the client with exactly this".
type Error struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	// Data is omitted when nil. Upstream errors keep their data as the raw
	// bytes the provider sent (json.RawMessage), so it reaches the client unchanged.
	Data any `json:"data,omitempty"`
}

func (e *Error) Error() string {
	return "jsonrpc error " + strconv.Itoa(e.Code) + ": " + e.Message
}

// NewError returns an Error without data.
func NewError(code int, message string) *Error {
	return &Error{Code: code, Message: message}
}

// appendJSON encodes the error object. Message and raw data go out exactly
// as the provider sent them; encoding/json would escape <, > and & and
// compact the data.
func (e *Error) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"code":`...)
	dst = strconv.AppendInt(dst, int64(e.Code), 10)
	dst = append(dst, `,"message":`...)
	dst = appendString(dst, e.Message)
	if e.Data != nil {
		if data, ok := e.Data.(json.RawMessage); ok {
			dst = append(dst, `,"data":`...)
			dst = append(dst, data...)
		} else if data, err := marshalNoEscape(e.Data); err == nil {
			dst = append(dst, `,"data":`...)
			dst = append(dst, data...)
		}
	}
	return append(dst, '}')
}

func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
