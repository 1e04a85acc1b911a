package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	secretA = "SECRETKEY1234567890"
	secretB = "QSECRET99abc"
)

func TestScrubber(t *testing.T) {
	tests := []struct {
		name    string
		secrets []string
		in      string
		want    string
	}{
		{name: "no secrets", secrets: nil, in: "nothing to hide", want: "nothing to hide"},
		{name: "empty list", secrets: []string{}, in: "x " + secretA, want: "x " + secretA},
		{name: "empty secret ignored", secrets: []string{""}, in: "abc", want: "abc"},
		{name: "empty secret beside a real one", secrets: []string{"", secretA}, in: "a" + secretA + "b", want: "a[REDACTED]b"},
		{name: "one secret", secrets: []string{secretA}, in: "https://eth.example/v2/" + secretA, want: "https://eth.example/v2/[REDACTED]"},
		{name: "every occurrence", secrets: []string{secretA}, in: secretA + " and " + secretA + secretA, want: "[REDACTED] and [REDACTED][REDACTED]"},
		{name: "two secrets", secrets: []string{secretA, secretB}, in: "k=" + secretB + "&p=" + secretA, want: "k=[REDACTED]&p=[REDACTED]"},
		{name: "secret alone", secrets: []string{secretA}, in: secretA, want: "[REDACTED]"},
		{name: "case matters", secrets: []string{secretA}, in: strings.ToLower(secretA), want: strings.ToLower(secretA)},
		{name: "absent secret", secrets: []string{secretA}, in: "plain text", want: "plain text"},
		{name: "empty input", secrets: []string{secretA}, in: "", want: ""},
		{name: "duplicate secrets", secrets: []string{secretA, secretA}, in: secretA, want: "[REDACTED]"},
		{name: "multibyte", secrets: []string{"clé-secrète"}, in: "→clé-secrète←", want: "→[REDACTED]←"},
		// One secret inside another: the longer must be replaced whole.
		{name: "longer listed first, shorter is its prefix", secrets: []string{"abc123456", "abc123"}, in: "x abc123456 y", want: "x [REDACTED] y"},
		{name: "shorter is a suffix", secrets: []string{"123456", "abc123456"}, in: "x abc123456 y", want: "x [REDACTED] y"},
		{name: "shorter in the middle", secrets: []string{"c12345", "abc123456"}, in: "x abc123456 y", want: "x [REDACTED] y"},
		{name: "shorter alone still scrubbed", secrets: []string{"abc123456", "abc123"}, in: "x abc123 y", want: "x [REDACTED] y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NewScrubber(tt.secrets).Scrub(tt.in); got != tt.want {
				t.Errorf("Scrub(%q) with %q: got %q, want %q", tt.in, tt.secrets, got, tt.want)
			}
		})
	}
}

func TestScrubberSet(t *testing.T) {
	s := NewScrubber([]string{secretA})
	in := secretA + " " + secretB
	if got, want := s.Scrub(in), "[REDACTED] "+secretB; got != want {
		t.Fatalf("before Set: got %q, want %q", got, want)
	}
	s.Set([]string{secretB})
	if got, want := s.Scrub(in), secretA+" [REDACTED]"; got != want {
		t.Errorf("after Set: got %q, want %q", got, want)
	}
	s.Set(nil)
	if got := s.Scrub(in); got != in {
		t.Errorf("after Set(nil): got %q, want %q", got, in)
	}
}

// TestScrubberConcurrentSet swaps the list while loggers scrub (run with
// -race). Every result is one of the two lists' answers, never a mix.
func TestScrubberConcurrentSet(t *testing.T) {
	s := NewScrubber([]string{secretA})
	in := secretA
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if i%2 == 0 {
				s.Set([]string{secretB})
			} else {
				s.Set([]string{secretA})
			}
		}
	}()
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 2000 {
				if got := s.Scrub(in); got != "[REDACTED]" && got != secretA {
					t.Errorf("Scrub during Set: got %q", got)
					return
				}
			}
		}()
	}
	time.Sleep(20 * time.Millisecond)
	close(stop)
	wg.Wait()
}

// stringer and logValuer carry secrets in ways slog treats specially.
type stringer struct{ v string }

func (s stringer) String() string { return "stringer(" + s.v + ")" }

type logValuer struct{ v string }

func (l logValuer) LogValue() slog.Value { return slog.StringValue("valuer(" + l.v + ")") }

type groupValuer struct{ v string }

func (g groupValuer) LogValue() slog.Value {
	return slog.GroupValue(slog.String("inner", g.v), slog.Int("n", 1))
}

type endpoint struct {
	URL   string
	Port  int
	Tags  []string
	Inner *endpoint `json:",omitempty"`
}

// logLine logs once through NewLogger and returns the raw line and decoded
// object.
func logLine(t *testing.T, secrets []string, do func(l *slog.Logger)) (string, map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	do(NewLogger(&buf, slog.LevelDebug, NewScrubber(secrets)))
	line := buf.String()
	if strings.Count(line, "\n") != 1 {
		t.Fatalf("want one log line, got %q", line)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(line), &m); err != nil {
		t.Fatalf("log line is not JSON: %v\n%s", err, line)
	}
	return line, m
}

// anyStringContains reports whether a decoded JSON value holds sub in any
// string or object key.
func anyStringContains(v any, sub string) bool {
	switch x := v.(type) {
	case string:
		return strings.Contains(x, sub)
	case []any:
		for _, e := range x {
			if anyStringContains(e, sub) {
				return true
			}
		}
	case map[string]any:
		for k, e := range x {
			if strings.Contains(k, sub) || anyStringContains(e, sub) {
				return true
			}
		}
	}
	return false
}

func TestNewLoggerScrubs(t *testing.T) {
	secrets := []string{secretA, secretB}
	url := "https://eth.example/v2/" + secretA
	tests := []struct {
		name string
		do   func(l *slog.Logger)
	}{
		{name: "message", do: func(l *slog.Logger) { l.Info("dial " + url + " failed") }},
		{name: "string attr", do: func(l *slog.Logger) { l.Info("m", "url", url) }},
		{name: "slog.String attr", do: func(l *slog.Logger) { l.Info("m", slog.String("url", url)) }},
		{name: "error attr", do: func(l *slog.Logger) { l.Error("m", "error", errors.New("Post "+url+": EOF")) }},
		{name: "wrapped error attr", do: func(l *slog.Logger) {
			l.Error("m", slog.Any("err", fmt.Errorf("attempt: %w", errors.New("key="+secretB))))
		}},
		{name: "group attr", do: func(l *slog.Logger) {
			l.Info("m", slog.Group("upstream", slog.String("url", url), slog.Int("n", 2)))
		}},
		{name: "nested group", do: func(l *slog.Logger) {
			l.Info("m", slog.Group("a", slog.Group("b", slog.String("key", secretB))))
		}},
		{name: "error in group", do: func(l *slog.Logger) {
			l.Info("m", slog.Group("g", slog.Any("err", errors.New(secretA))))
		}},
		{name: "With attr", do: func(l *slog.Logger) { l.With("url", url).Info("m") }},
		{name: "WithGroup attr", do: func(l *slog.Logger) { l.WithGroup("req").Info("m", "url", url) }},
		{name: "With group", do: func(l *slog.Logger) { l.With(slog.Group("g", "k", secretB)).Info("m") }},
		{name: "struct attr", do: func(l *slog.Logger) { l.Info("m", "ep", endpoint{URL: url, Port: 443}) }},
		{name: "pointer to struct attr", do: func(l *slog.Logger) { l.Info("m", "ep", &endpoint{URL: "x", Inner: &endpoint{URL: url}}) }},
		{name: "map attr", do: func(l *slog.Logger) { l.Info("m", "headers", map[string]string{"authorization": "Bearer " + secretB}) }},
		{name: "map key", do: func(l *slog.Logger) { l.Info("m", "counts", map[string]int{secretA: 1}) }},
		{name: "map of any", do: func(l *slog.Logger) { l.Info("m", "cfg", map[string]any{"n": 1, "urls": []string{url}}) }},
		{name: "slice attr", do: func(l *slog.Logger) { l.Info("m", "urls", []string{"ok", url}) }},
		{name: "stringer attr", do: func(l *slog.Logger) { l.Info("m", "s", stringer{secretA}) }},
		{name: "LogValuer attr", do: func(l *slog.Logger) { l.Info("m", "v", logValuer{secretA}) }},
		{name: "LogValuer group", do: func(l *slog.Logger) { l.Info("m", "v", groupValuer{secretB}) }},
		{name: "unmarshalable value", do: func(l *slog.Logger) {
			l.Info("m", "v", map[string]any{"u": url, "f": func() {}})
		}},
		{name: "InfoContext", do: func(l *slog.Logger) { l.InfoContext(context.Background(), "m "+secretA, "k", secretB) }},
		{name: "debug level", do: func(l *slog.Logger) { l.Debug(secretA) }},
		{name: "LogAttrs", do: func(l *slog.Logger) {
			l.LogAttrs(context.Background(), slog.LevelWarn, "m", slog.String("k", secretA), slog.Any("e", errors.New(secretB)))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line, decoded := logLine(t, secrets, tt.do)
			for _, s := range secrets {
				if strings.Contains(line, s) || anyStringContains(map[string]any(decoded), s) {
					t.Errorf("log line contains secret %q:\n%s", s, line)
				}
			}
			if !strings.Contains(line, Redacted) {
				t.Errorf("log line lacks %q:\n%s", Redacted, line)
			}
		})
	}
}

// TestNewLoggerKeepsValues: values without secrets are logged as slog would
// log them, with their JSON types.
func TestNewLoggerKeepsValues(t *testing.T) {
	line, m := logLine(t, []string{secretA}, func(l *slog.Logger) {
		l.Info("block 0x10 served",
			"n", 42,
			"neg", int64(-7),
			"u", uint64(1<<40),
			"f", 1.5,
			"ok", true,
			"s", "plain",
			"empty", "",
			"d", 1500*time.Millisecond,
			"ep", endpoint{URL: "https://eth.example", Port: 443, Tags: []string{"a"}},
			"hdr", map[string]int{"a": 1},
			"list", []int{1, 2},
			"nil", nil,
			"err", errors.New("connection refused"),
			"str", stringer{"x"},
			slog.Group("g", slog.Int("depth", 3)),
		)
	})
	if strings.Contains(line, Redacted) {
		t.Errorf("line without secrets has %q:\n%s", Redacted, line)
	}
	tests := []struct {
		key  string
		want any
	}{
		{"msg", "block 0x10 served"},
		{"level", "INFO"},
		{"n", float64(42)},
		{"neg", float64(-7)},
		{"u", float64(1 << 40)},
		{"f", 1.5},
		{"ok", true},
		{"s", "plain"},
		{"empty", ""},
		{"d", float64(1500 * time.Millisecond)},
		{"ep", map[string]any{"URL": "https://eth.example", "Port": float64(443), "Tags": []any{"a"}}},
		{"hdr", map[string]any{"a": float64(1)}},
		{"list", []any{float64(1), float64(2)}},
		{"nil", nil},
		{"err", "connection refused"},
		{"str", "stringer(x)"},
		{"g", map[string]any{"depth": float64(3)}},
	}
	for _, tt := range tests {
		got, ok := m[tt.key]
		if !ok {
			t.Errorf("key %q missing from %s", tt.key, line)
			continue
		}
		if fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", tt.want) {
			t.Errorf("%s: got %#v, want %#v", tt.key, got, tt.want)
		}
	}
	if _, ok := m["time"].(string); !ok {
		t.Errorf("time: got %#v, want a string", m["time"])
	}
}

// TestNewLoggerSecretInsideTypedValue: a struct or map holding a secret is
// logged as its scrubbed JSON text; its other fields survive.
func TestNewLoggerSecretInsideTypedValue(t *testing.T) {
	_, m := logLine(t, []string{secretA}, func(l *slog.Logger) {
		l.Info("m", "ep", endpoint{URL: "https://x/" + secretA, Port: 8545})
	})
	s, ok := m["ep"].(string)
	if !ok {
		t.Fatalf("ep: got %#v, want scrubbed JSON text", m["ep"])
	}
	var ep endpoint
	if err := json.Unmarshal([]byte(s), &ep); err != nil {
		t.Fatalf("ep %q: not JSON: %v", s, err)
	}
	if ep.URL != "https://x/"+Redacted || ep.Port != 8545 {
		t.Errorf("ep: got %+v, want URL https://x/%s and Port 8545", ep, Redacted)
	}
}

func TestNewLoggerLevel(t *testing.T) {
	tests := []struct {
		level slog.Level
		want  []string // messages that get through
	}{
		{slog.LevelDebug, []string{"debug", "info", "warn", "error"}},
		{slog.LevelInfo, []string{"info", "warn", "error"}},
		{slog.LevelWarn, []string{"warn", "error"}},
		{slog.LevelError, []string{"error"}},
	}
	for _, tt := range tests {
		t.Run(tt.level.String(), func(t *testing.T) {
			var buf bytes.Buffer
			l := NewLogger(&buf, tt.level, NewScrubber(nil))
			l.Debug("debug")
			l.Info("info")
			l.Warn("warn")
			l.Error("error")
			var got []string
			for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
				if line == "" {
					continue
				}
				var m struct{ Msg, Level string }
				if err := json.Unmarshal([]byte(line), &m); err != nil {
					t.Fatalf("bad line %q: %v", line, err)
				}
				if !strings.EqualFold(m.Msg, m.Level) {
					t.Errorf("message %q logged at level %q", m.Msg, m.Level)
				}
				got = append(got, m.Msg)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("level %v: got %q, want %q", tt.level, got, tt.want)
			}
			for _, lv := range []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError} {
				if got, want := l.Enabled(context.Background(), lv), lv >= tt.level; got != want {
					t.Errorf("Enabled(%v): got %v, want %v", lv, got, want)
				}
			}
		})
	}
}

// TestNewLoggerLevelVar: the level is read on every call, so a LevelVar
// changes it at run time.
func TestNewLoggerLevelVar(t *testing.T) {
	var lv slog.LevelVar
	lv.Set(slog.LevelWarn)
	var buf bytes.Buffer
	l := NewLogger(&buf, &lv, NewScrubber(nil))
	l.Info("dropped")
	lv.Set(slog.LevelDebug)
	l.Debug("kept")
	out := buf.String()
	if strings.Contains(out, "dropped") || !strings.Contains(out, "kept") {
		t.Errorf("got %q, want only the debug line after lowering the level", out)
	}
}

// TestNewLoggerSeesSet: a logger built before a reload scrubs the new list.
func TestNewLoggerSeesSet(t *testing.T) {
	var buf bytes.Buffer
	s := NewScrubber([]string{secretA})
	l := NewLogger(&buf, slog.LevelInfo, s)
	s.Set([]string{secretB})
	l.Info("m", "a", secretA, "b", secretB)
	out := buf.String()
	if strings.Contains(out, secretB) || !strings.Contains(out, secretA) {
		t.Errorf("got %s, want %s scrubbed and %s (no longer secret) kept", out, secretB, secretA)
	}
}

func TestParseLevel(t *testing.T) {
	tests := []struct {
		in      string
		want    slog.Level
		wantErr bool
	}{
		{in: "", want: slog.LevelInfo},
		{in: "debug", want: slog.LevelDebug},
		{in: "info", want: slog.LevelInfo},
		{in: "warn", want: slog.LevelWarn},
		{in: "error", want: slog.LevelError},
		{in: "DEBUG", want: slog.LevelDebug},
		{in: "Info", want: slog.LevelInfo},
		{in: "WARN", want: slog.LevelWarn},
		{in: "ERROR", want: slog.LevelError},
		{in: "verbose", wantErr: true},
		{in: "trace", wantErr: true},
		{in: "42", wantErr: true},
		{in: " info", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseLevel(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseLevel(%q): got %v, nil; want an error", tt.in, got)
				}
				if !strings.Contains(err.Error(), "LOG_LEVEL") || !strings.Contains(err.Error(), tt.in) {
					t.Errorf("ParseLevel(%q) error %q: want it to name LOG_LEVEL and the value", tt.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseLevel(%q): got error %v, want nil", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseLevel(%q): got %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func BenchmarkScrub(b *testing.B) {
	s := NewScrubber([]string{secretA, secretB, "another-key-0123456789", "token_abcdefghijkl"})
	line := "upstream attempt failed provider=alchemy method=eth_call error=Post https://eth.example/<redacted>: EOF"
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Scrub(line)
	}
}

func BenchmarkLogger(b *testing.B) {
	var buf bytes.Buffer
	l := NewLogger(&buf, slog.LevelInfo, NewScrubber([]string{secretA, secretB}))
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		l.Info("upstream attempt failed", "request_id", "r-1", "provider", "alchemy", "method", "eth_call",
			"error", errors.New("upstream HTTP 503"), "attempt", 2)
	}
}
