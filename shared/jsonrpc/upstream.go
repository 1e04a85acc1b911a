package jsonrpc

import (
	"encoding/json"
	"errors"
	"fmt"
)

// AppendUpstream encodes the request sent to a provider. The id is the
// router's private transport id, never the client's: clients' ids may collide
// across a batch or across clients sharing a connection.
func AppendUpstream(dst []byte, id string, method string, params json.RawMessage) []byte {
	dst = append(dst, `{"jsonrpc":"2.0","id":`...)
	dst = appendString(dst, id)
	dst = append(dst, `,"method":`...)
	dst = appendString(dst, method)
	dst = append(dst, `,"params":`...)
	if len(params) == 0 {
		params = emptyParams
	}
	dst = append(dst, params...)
	return append(dst, '}')
}

// Upstream is a provider's response that passed validation.
type Upstream struct {
	Body   []byte
	Result json.RawMessage // nil when the provider answered with an error
	Error  *Error          // the provider's error object, data kept raw

	idStart, idEnd int
}

// ErrInvalidUpstream means a provider answered with something that is not a
// single JSON-RPC response to the call the router sent.
var ErrInvalidUpstream = errors.New("invalid upstream response")

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidUpstream}, args...)...)
}

// ParseUpstream checks that body is one JSON object with exactly one
// "jsonrpc":"2.0", one id equal to wantID, exactly one of result and error,
// and no method; anything else is a provider failure, not an answer.
func ParseUpstream(body []byte, wantID string) (*Upstream, error) {
	if !json.Valid(body) {
		return nil, invalidf("not JSON")
	}
	u := &Upstream{Body: body}
	var seenVersion, seenID bool
	var errRaw json.RawMessage
	var bad error
	isObject := members(body, func(m member) bool {
		switch string(m.key) {
		case "jsonrpc":
			if seenVersion || string(m.val) != `"2.0"` {
				bad = invalidf(`jsonrpc must appear once as "2.0"`)
			}
			seenVersion = true
		case "id":
			if seenID || !stringEquals(m.val, wantID) {
				bad = invalidf("id does not match the request")
			}
			seenID = true
			u.idStart, u.idEnd = m.start, m.end
		case "result":
			if u.Result != nil {
				bad = invalidf("duplicate result")
			}
			u.Result = m.val
		case "error":
			if errRaw != nil {
				bad = invalidf("duplicate error")
			}
			errRaw = m.val
		case "method":
			bad = invalidf("a notification, not a response")
		}
		return bad == nil
	})
	switch {
	case !isObject:
		return nil, invalidf("not a JSON object")
	case bad != nil:
		return nil, bad
	case !seenVersion || !seenID:
		return nil, invalidf("missing jsonrpc or id")
	case (u.Result == nil) == (errRaw == nil):
		return nil, invalidf("needs exactly one of result and error")
	}
	if errRaw != nil {
		e, err := decodeError(errRaw)
		if err != nil {
			return nil, err
		}
		u.Error = e
	}
	return u, nil
}

// decodeError reads an error object: an integer code is required, message
// and data are kept as sent (data as raw bytes).
func decodeError(raw json.RawMessage) (*Error, error) {
	e := &Error{}
	haveCode, badMessage := false, false
	isObject := members(raw, func(m member) bool {
		switch string(m.key) {
		case "code":
			haveCode = m.val[0] != 'n' && json.Unmarshal(m.val, &e.Code) == nil
		case "message":
			badMessage = m.val[0] != '"' || json.Unmarshal(m.val, &e.Message) != nil
		case "data":
			e.Data = json.RawMessage(m.val)
		}
		return true
	})
	if !isObject || !haveCode || badMessage {
		return nil, invalidf("malformed error object")
	}
	return e, nil
}
