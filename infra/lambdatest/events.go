package lambdatest

import (
	"encoding/json"
	"testing"
)

// WithBody returns an API Gateway or ALB event with its body replaced by
// body (plain text, not base64).
func WithBody(t testing.TB, event []byte, body string) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(event, &ev); err != nil {
		t.Fatal(err)
	}
	ev["body"], ev["isBase64Encoded"] = body, false
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
