package lambdahttp

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Response size limits. Past them the caller gets no answer at all: Lambda
// refuses a synchronous response over 6 MB (API Gateway then answers a bare
// 502), and an ALB refuses a Lambda response JSON over 1 MB. Both are a
// little under the documented figures, which count the envelope as well.
const (
	APIGatewayLimit = 6 << 20   // the whole response JSON, for API Gateway events
	ALBLimit        = 1_000_000 // the whole response JSON, for ALB events
)

func (k kind) limit() int {
	if k == kindALB {
		return ALBLimit
	}
	return APIGatewayLimit
}

// fit shrinks an encoded response over the event's limit with the
// Options.Fit hook, which knows the body's format (a JSON-RPC body keeps
// its small answers and ids). It works on the encoded JSON, so one path
// serves the three response types: only the body and its Content-Length
// change. Escaping makes the encoded body longer than the body, so the
// budget given to Fit is scaled by that ratio and tightened if the first
// try is still too long.
func (h *Handler) fit(k kind, out []byte) ([]byte, error) {
	limit := k.limit()
	if len(out) <= limit || h.fitBody == nil {
		return out, nil
	}
	var resp map[string]json.RawMessage
	var body string
	var isBase64 bool
	if err := json.Unmarshal(out, &resp); err != nil {
		return nil, fmt.Errorf("lambdahttp: re-read %s response: %w", k, err)
	}
	_ = json.Unmarshal(resp["isBase64Encoded"], &isBase64)
	if err := json.Unmarshal(resp["body"], &body); err != nil {
		return nil, fmt.Errorf("lambdahttp: re-read %s response body: %w", k, err)
	}
	raw := []byte(body)
	if isBase64 {
		var err error
		if raw, err = base64.StdEncoding.DecodeString(body); err != nil {
			return nil, fmt.Errorf("lambdahttp: re-read %s response body: %w", k, err)
		}
	}
	envelope := len(out) - len(resp["body"])
	ratio := float64(len(resp["body"])) / float64(max(len(raw), 1))
	budget := int(float64(limit-envelope-64) / ratio)
	for range 4 {
		small := h.fitBody(raw, budget)
		enc := string(small)
		if isBase64 {
			enc = base64.StdEncoding.EncodeToString(small)
		}
		resp["body"] = encodeString(enc)
		setContentLength(resp, len(small))
		b, err := encodeNoEscape(resp)
		if err != nil {
			return nil, fmt.Errorf("lambdahttp: encode %s response: %w", k, err)
		}
		if len(b) <= limit {
			return b, nil
		}
		budget = budget * 3 / 4
	}
	return nil, fmt.Errorf("lambdahttp: %s response of %d bytes does not fit in %d", k, len(out), limit)
}

// setContentLength corrects Content-Length where the response carries one,
// single- or multi-valued (the handler sets it; a stale one would make the
// gateway cut or wait for the body).
func setContentLength(resp map[string]json.RawMessage, n int) {
	for _, member := range []string{"headers", "multiValueHeaders"} {
		var hs map[string]json.RawMessage
		if json.Unmarshal(resp[member], &hs) != nil || hs == nil {
			continue
		}
		for name := range hs {
			if !strings.EqualFold(name, "Content-Length") {
				continue
			}
			if member == "headers" {
				hs[name] = encodeString(strconv.Itoa(n))
			} else {
				hs[name] = json.RawMessage(`[` + string(encodeString(strconv.Itoa(n))) + `]`)
			}
		}
		resp[member], _ = encodeNoEscape(hs)
	}
}

func encodeString(s string) json.RawMessage {
	b, _ := encodeNoEscape(s)
	return b
}

// encodeNoEscape is json.Marshal without HTML escaping, as respond encodes.
func encodeNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'}), nil
}
