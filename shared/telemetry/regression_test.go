package telemetry

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

// Regression tests for bugs found by review: each pins the contract.

// A secret that begins with another secret is scrubbed whole, whatever the
// order of the list (profile secrets come from a map).
func TestRegressionScrubberPrefixSecretFirst(t *testing.T) {
	tests := []struct {
		secrets []string
		in      string
		want    string
	}{
		{secrets: []string{"abc123", "abc123456"}, in: "x abc123456 y", want: "x [REDACTED] y"},
		{secrets: []string{"SECRETKEY12", "SECRETKEY1234567890"}, in: "/v2/SECRETKEY1234567890", want: "/v2/[REDACTED]"},
	}
	for _, tt := range tests {
		if got := NewScrubber(tt.secrets).Scrub(tt.in); got != tt.want {
			t.Errorf("Scrub(%q) with %q: got %q, want %q", tt.in, tt.secrets, got, tt.want)
		}
	}
}

// A secret holding <, >, &, " or \\ is scrubbed inside struct and map attrs,
// where it appears JSON-escaped.
func TestRegressionLoggerSecretWithEscapedCharsInMap(t *testing.T) {
	for _, secret := range []string{"p@ss&word<1>", `quote"secret1`, `back\slash99`} {
		var buf bytes.Buffer
		l := NewLogger(&buf, slog.LevelInfo, NewScrubber([]string{secret}))
		l.Info("m", "auth", map[string]string{"password": secret}, "ep", struct{ URL string }{"https://u:" + secret + "@x"})
		var decoded map[string]any
		if err := json.Unmarshal(buf.Bytes(), &decoded); err != nil {
			t.Fatalf("bad line: %v", err)
		}
		for _, key := range []string{"auth", "ep"} {
			if strings.Contains(buf.String(), secret) || anyStringContains(decoded[key], secret) {
				t.Errorf("secret %q: attr %s got %#v, want it scrubbed", secret, key, decoded[key])
			}
		}
	}
}

// scrubAny calls Error() and String() itself, outside slog's recover, so a
// typed nil pointer error or Stringer (the classic non-nil interface holding a
// nil pointer) panics the logging call. Plain slog logs "<nil>".
type nilPtrErr struct{ msg string }

func (e *nilPtrErr) Error() string { return e.msg }

type nilPtrStringer struct{ s string }

func (p *nilPtrStringer) String() string { return p.s }

func TestRegressionLoggerTypedNilPanics(t *testing.T) {
	var e *nilPtrErr
	var s *nilPtrStringer
	for name, v := range map[string]any{"error": e, "stringer": s} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			l := NewLogger(&buf, slog.LevelInfo, NewScrubber([]string{"SECRETKEY1234567890"}))
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("Info with a typed-nil %s attr: got panic %v, want a line like plain slog's \"<nil>\"", name, r)
				}
			}()
			l.Info("m", "v", v)
			if !strings.Contains(buf.String(), `"v":"<nil>"`) {
				t.Errorf("got %q, want \"v\":\"<nil>\"", buf.String())
			}
		})
	}
}
