package telemetry

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
)

// Redacted replaces a secret in log output.
const Redacted = "[REDACTED]"

// Scrubber removes known secret values from strings. Its list can be swapped
// at run time (a profile reload brings new keys).
type Scrubber struct {
	r atomic.Pointer[strings.Replacer]
}

// NewScrubber returns a Scrubber for secrets.
func NewScrubber(secrets []string) *Scrubber {
	s := &Scrubber{}
	s.Set(secrets)
	return s
}

// Set replaces the secret list.
func (s *Scrubber) Set(secrets []string) {
	// Each secret also in its JSON-escaped spelling, as it appears inside
	// marshalled values ("a&b" is "a\u0026b" there).
	var forms []string
	for _, v := range secrets {
		if v == "" {
			continue
		}
		forms = append(forms, v)
		if b, _ := json.Marshal(v); string(b[1:len(b)-1]) != v {
			forms = append(forms, string(b[1:len(b)-1]))
		}
	}
	// Longest first: strings.Replacer prefers earlier pairs, and a key that
	// begins with a shorter key must not be cut in two.
	slices.SortStableFunc(forms, func(a, b string) int { return len(b) - len(a) })
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		pairs = append(pairs, f, Redacted)
	}
	s.r.Store(strings.NewReplacer(pairs...))
}

// Scrub returns v without secrets.
func (s *Scrubber) Scrub(v string) string { return s.r.Load().Replace(v) }

// ParseLevel reads LOG_LEVEL: debug, info (default), warn or error.
func ParseLevel(v string) (slog.Level, error) {
	var l slog.Level
	if v == "" {
		return slog.LevelInfo, nil
	}
	if err := l.UnmarshalText([]byte(v)); err != nil {
		return 0, fmt.Errorf("LOG_LEVEL %q: want debug, info, warn or error", v)
	}
	return l, nil
}

// NewLogger returns a JSON logger whose every string, error and structured
// value passes through scrub.
func NewLogger(w io.Writer, level slog.Leveler, scrub *Scrubber) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			switch a.Value.Kind() {
			case slog.KindString:
				a.Value = slog.StringValue(scrub.Scrub(a.Value.String()))
			case slog.KindAny:
				a.Value = scrubAny(a.Value.Any(), scrub)
			}
			return a
		},
	}))
}

func scrubAny(v any, scrub *Scrubber) (out slog.Value) {
	defer func() {
		// A typed nil error or Stringer panics in its method; slog itself
		// would print <nil>, and a log call must never take a request down.
		if recover() != nil {
			out = slog.StringValue("<nil>")
		}
	}()
	switch x := v.(type) {
	case error:
		return slog.StringValue(scrub.Scrub(x.Error()))
	case fmt.Stringer:
		return slog.StringValue(scrub.Scrub(x.String()))
	}
	b, err := json.Marshal(v)
	if err != nil {
		return slog.StringValue(scrub.Scrub(fmt.Sprint(v)))
	}
	if s := string(b); scrub.Scrub(s) != s {
		return slog.StringValue(scrub.Scrub(s))
	}
	return slog.AnyValue(v)
}
