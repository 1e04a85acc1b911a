package app

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/method"
	"github.com/lasso-serverless/lasso/shared/routing"
)

// mapEnv is a getenv backed by a map; it records which names were read.
func mapEnv(m map[string]string, read map[string]bool) func(string) string {
	return func(k string) string {
		if read != nil {
			read[k] = true
		}
		return m[k]
	}
}

func TestConfigFromEnvDefaults(t *testing.T) {
	read := map[string]bool{}
	cfg, err := ConfigFromEnv(mapEnv(nil, read))
	if err != nil {
		t.Fatalf("ConfigFromEnv(empty): got error %v, want nil", err)
	}
	// Field by field, so fields added later do not break this test.
	checks := []struct {
		field     string
		got, want any
	}{
		{"Host", cfg.Host, "127.0.0.1"},
		{"Port", cfg.Port, 4000},
		{"ProfilesDir", cfg.ProfilesDir, "./profiles"},
		{"NodeID", cfg.NodeID, "local"},
		{"LogLevel", cfg.LogLevel, slog.LevelInfo},
		{"ReadTimeout", cfg.ReadTimeout, 30 * time.Second},
		{"WriteTimeout", cfg.WriteTimeout, 60 * time.Second},
		{"IdleTimeout", cfg.IdleTimeout, 120 * time.Second},
		{"ShutdownTimeout", cfg.ShutdownTimeout, 15 * time.Second},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("ConfigFromEnv(empty).%s: got %v, want %v", c.field, c.got, c.want)
		}
	}
	if got := cfg.Addr(); got != "127.0.0.1:4000" {
		t.Errorf("Addr: got %q, want %q", got, "127.0.0.1:4000")
	}
	for _, k := range []string{"HOST", "PORT", "LASSO_PROFILES_DIR", "LASSO_NODE_ID", "LOG_LEVEL"} {
		if !read[k] {
			t.Errorf("ConfigFromEnv did not read %s", k)
		}
	}
}

// TestConfigWriteTimeoutOutlastsMethods: the server must not cut off the
// slowest method's answer.
func TestConfigWriteTimeoutOutlastsMethods(t *testing.T) {
	cfg, err := ConfigFromEnv(mapEnv(nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"debug_traceBlock", "debug_traceTransaction", "eth_getLogs", "eth_call", "unknown_method"} {
		if d := method.Timeout(m); cfg.WriteTimeout <= d {
			t.Errorf("WriteTimeout %v: want more than %s's timeout %v", cfg.WriteTimeout, m, d)
		}
	}
}

func TestConfigFromEnvOverrides(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		check func(c Config) (got, want any)
	}{
		{name: "HOST", env: map[string]string{"HOST": "0.0.0.0"}, check: func(c Config) (any, any) { return c.Host, "0.0.0.0" }},
		{name: "HOST IPv6", env: map[string]string{"HOST": "::"}, check: func(c Config) (any, any) { return c.Host, "::" }},
		{name: "PORT", env: map[string]string{"PORT": "8080"}, check: func(c Config) (any, any) { return c.Port, 8080 }},
		{name: "PORT max", env: map[string]string{"PORT": "65535"}, check: func(c Config) (any, any) { return c.Port, 65535 }},
		{name: "PORT zero picks a free port", env: map[string]string{"PORT": "0"}, check: func(c Config) (any, any) { return c.Port, 0 }},
		{name: "LASSO_PROFILES_DIR", env: map[string]string{"LASSO_PROFILES_DIR": "/etc/lasso/profiles"}, check: func(c Config) (any, any) { return c.ProfilesDir, "/etc/lasso/profiles" }},
		{name: "LASSO_NODE_ID", env: map[string]string{"LASSO_NODE_ID": "us-east-1a"}, check: func(c Config) (any, any) { return c.NodeID, "us-east-1a" }},
		{name: "LOG_LEVEL debug", env: map[string]string{"LOG_LEVEL": "debug"}, check: func(c Config) (any, any) { return c.LogLevel, slog.LevelDebug }},
		{name: "LOG_LEVEL warn", env: map[string]string{"LOG_LEVEL": "warn"}, check: func(c Config) (any, any) { return c.LogLevel, slog.LevelWarn }},
		{name: "LOG_LEVEL ERROR", env: map[string]string{"LOG_LEVEL": "ERROR"}, check: func(c Config) (any, any) { return c.LogLevel, slog.LevelError }},
		{name: "unrelated variables ignored", env: map[string]string{"LASSO_PORT": "1", "host": "x"}, check: func(c Config) (any, any) { return c.Addr(), "127.0.0.1:4000" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := ConfigFromEnv(mapEnv(tt.env, nil))
			if err != nil {
				t.Fatalf("ConfigFromEnv(%v): got error %v, want nil", tt.env, err)
			}
			if got, want := tt.check(cfg); got != want {
				t.Errorf("ConfigFromEnv(%v): got %v, want %v", tt.env, got, want)
			}
		})
	}
}

func TestConfigFromEnvAllOverrides(t *testing.T) {
	env := map[string]string{
		"HOST":               "10.0.0.5",
		"PORT":               "9000",
		"LASSO_PROFILES_DIR": "testdata/profiles",
		"LASSO_NODE_ID":      "node-7",
		"LOG_LEVEL":          "warn",
	}
	cfg, err := ConfigFromEnv(mapEnv(env, nil))
	if err != nil {
		t.Fatalf("ConfigFromEnv: got error %v, want nil", err)
	}
	if cfg.Host != "10.0.0.5" || cfg.Port != 9000 || cfg.ProfilesDir != "testdata/profiles" || cfg.NodeID != "node-7" || cfg.LogLevel != slog.LevelWarn {
		t.Errorf("ConfigFromEnv(%v): got %+v", env, cfg)
	}
	if got, want := cfg.Addr(), "10.0.0.5:9000"; got != want {
		t.Errorf("Addr: got %q, want %q", got, want)
	}
}

func TestConfigFromEnvErrors(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantMsg []string // substrings of the error
	}{
		{name: "PORT not a number", env: map[string]string{"PORT": "abc"}, wantMsg: []string{"PORT", "abc"}},
		{name: "PORT too large", env: map[string]string{"PORT": "70000"}, wantMsg: []string{"PORT", "70000"}},
		{name: "PORT just too large", env: map[string]string{"PORT": "65536"}, wantMsg: []string{"PORT", "65536"}},
		{name: "PORT negative", env: map[string]string{"PORT": "-1"}, wantMsg: []string{"PORT"}},
		{name: "PORT with spaces", env: map[string]string{"PORT": " 4000"}, wantMsg: []string{"PORT"}},
		{name: "PORT fractional", env: map[string]string{"PORT": "80.5"}, wantMsg: []string{"PORT"}},
		{name: "PORT host:port", env: map[string]string{"PORT": ":4000"}, wantMsg: []string{"PORT"}},
		{name: "PORT overflow", env: map[string]string{"PORT": "99999999999999999999"}, wantMsg: []string{"PORT"}},
		{name: "LOG_LEVEL invalid", env: map[string]string{"LOG_LEVEL": "verbose"}, wantMsg: []string{"LOG_LEVEL", "verbose"}},
		{name: "LOG_LEVEL number", env: map[string]string{"LOG_LEVEL": "3"}, wantMsg: []string{"LOG_LEVEL"}},
		{name: "bad PORT with good LOG_LEVEL", env: map[string]string{"PORT": "abc", "LOG_LEVEL": "debug"}, wantMsg: []string{"PORT"}},
		{name: "good PORT with bad LOG_LEVEL", env: map[string]string{"PORT": "8080", "LOG_LEVEL": "loud"}, wantMsg: []string{"LOG_LEVEL", "loud"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ConfigFromEnv(mapEnv(tt.env, nil))
			if err == nil {
				t.Fatalf("ConfigFromEnv(%v): got nil error, want one", tt.env)
			}
			for _, s := range tt.wantMsg {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("ConfigFromEnv(%v) error %q: want it to mention %q", tt.env, err, s)
				}
			}
		})
	}
}

// TestConfigFromEnvStrategy: LASSO_DEFAULT_STRATEGY takes the routing
// package's spellings and normalises them.
func TestConfigFromEnvStrategy(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{in: "", want: routing.Default},
		{in: "priority", want: routing.Priority},
		{in: "load-balanced", want: routing.LoadBalanced},
		{in: "round_robin", want: routing.LoadBalanced},
		{in: "fastest", want: routing.Fastest},
		{in: "latency-weighted", want: routing.LatencyWeighted},
		{in: "cheapest", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			cfg, err := ConfigFromEnv(mapEnv(map[string]string{"LASSO_DEFAULT_STRATEGY": tt.in}, nil))
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), "LASSO_DEFAULT_STRATEGY") || !strings.Contains(err.Error(), tt.in) {
					t.Errorf("ConfigFromEnv(LASSO_DEFAULT_STRATEGY=%q): got error %v, want one naming the variable and value", tt.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ConfigFromEnv(LASSO_DEFAULT_STRATEGY=%q): got error %v, want nil", tt.in, err)
			}
			if cfg.DefaultStrategy != tt.want {
				t.Errorf("DefaultStrategy for %q: got %q, want %q", tt.in, cfg.DefaultStrategy, tt.want)
			}
		})
	}
}

func TestConfigAddr(t *testing.T) {
	tests := []struct {
		host string
		port int
		want string
	}{
		{host: "127.0.0.1", port: 4000, want: "127.0.0.1:4000"},
		{host: "0.0.0.0", port: 80, want: "0.0.0.0:80"},
		{host: "localhost", port: 8545, want: "localhost:8545"},
		{host: "", port: 4000, want: ":4000"},
		{host: "::1", port: 4000, want: "[::1]:4000"},
		{host: "::", port: 443, want: "[::]:443"},
		{host: "2001:db8::1", port: 65535, want: "[2001:db8::1]:65535"},
		{host: "fe80::1%eth0", port: 0, want: "[fe80::1%eth0]:0"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := (Config{Host: tt.host, Port: tt.port}).Addr(); got != tt.want {
				t.Errorf("Addr(%q, %d): got %q, want %q", tt.host, tt.port, got, tt.want)
			}
		})
	}
}
