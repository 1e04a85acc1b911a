package httpapi

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// answer is a JSON-RPC success whose result is a string of n bytes.
func answer(id string, n int) string {
	return `{"jsonrpc":"2.0","id":` + id + `,"result":"` + strings.Repeat("a", n) + `"}`
}

type fitted struct {
	ID     json.RawMessage `json:"id"`
	Result *string         `json:"result"`
	Error  *struct {
		Code    int            `json:"code"`
		Message string         `json:"message"`
		Data    map[string]any `json:"data"`
	} `json:"error"`
}

func TestFitResponse(t *testing.T) {
	const limit = 4096
	cases := []struct {
		name string
		body string
		// want per answer: "ok" (kept as it was) or "big" (replaced)
		want []string
		ids  []string
	}{
		{"single within the limit", answer("1", 100), []string{"ok"}, []string{"1"}},
		{"single over the limit", answer(`"abc"`, 10_000), []string{"big"}, []string{`"abc"`}},
		{"single with an escaped string id", answer(`"a\"b"`, 10_000), []string{"big"}, []string{`"a\"b"`}},
		{"batch: the large one replaced, the small kept",
			"[" + answer("1", 100) + "," + answer("2", 10_000) + "," + answer("3", 200) + "]",
			[]string{"ok", "big", "ok"}, []string{"1", "2", "3"}},
		{"batch: the largest first, until it fits",
			"[" + answer("1", 1500) + ",\n " + answer("2", 3000) + " , " + answer("3", 1000) + "]",
			[]string{"ok", "big", "ok"}, []string{"1", "2", "3"}},
		{"batch: two must go",
			"[" + answer("1", 3800) + "," + answer("2", 3900) + "," + answer("3", 50) + "]",
			[]string{"big", "big", "ok"}, []string{"1", "2", "3"}},
		{"not JSON-RPC", strings.Repeat("x", 10_000), []string{"big"}, []string{"null"}},
		{"an unclosed batch", "[" + answer("7", 10_000), []string{"big"}, []string{"null"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(tc.body)
			out := FitResponse(bytes.Clone(in), limit)
			if len(out) > limit {
				t.Fatalf("got %d bytes, want at most %d", len(out), limit)
			}
			if len(in) <= limit && !bytes.Equal(out, in) {
				t.Fatalf("a body within the limit changed: %s", out)
			}
			var got []fitted
			if bytes.HasPrefix(out, []byte("[")) {
				if err := json.Unmarshal(out, &got); err != nil {
					t.Fatalf("not a JSON array: %v: %s", err, out)
				}
			} else {
				var one fitted
				if err := json.Unmarshal(out, &one); err != nil {
					t.Fatalf("not a JSON object: %v: %s", err, out)
				}
				got = []fitted{one}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d answers, want %d: %s", len(got), len(tc.want), out)
			}
			for i, g := range got {
				if string(g.ID) != tc.ids[i] {
					t.Errorf("answer %d: id %s, want %s", i, g.ID, tc.ids[i])
				}
				switch tc.want[i] {
				case "ok":
					if g.Result == nil || g.Error != nil {
						t.Errorf("answer %d: want the result kept, got %+v", i, g)
					}
				case "big":
					if g.Error == nil || g.Error.Code != -32603 || g.Error.Data["error_type"] != "response_too_large" ||
						g.Error.Data["limit_bytes"] != float64(limit) || !strings.Contains(g.Error.Message, "Response too large") {
						t.Errorf("answer %d: want the response_too_large error, got %+v", i, g.Error)
					}
				}
			}
		})
	}
}
