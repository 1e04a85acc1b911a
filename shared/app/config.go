package app

import (
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/lasso-serverless/lasso/shared/routing"
	"github.com/lasso-serverless/lasso/shared/telemetry"
)

// Config is the process configuration, read from the environment.
type Config struct {
	Host        string // HOST, default 127.0.0.1
	Port        int    // PORT, default 4000
	ProfilesDir string // LASSO_PROFILES_DIR, default ./profiles
	NodeID      string // LASSO_NODE_ID, default local
	LogLevel    slog.Level
	// DefaultStrategy (LASSO_DEFAULT_STRATEGY) serves routes that name no
	// strategy: load_balanced as in Lasso, or priority, fastest,
	// latency_weighted (Lasso's provider_selection_strategy).
	DefaultStrategy string
	// Server timeouts. Write must outlast the slowest method timeout
	// (debug_traceBlock, 45 s) or long calls would be cut off mid-answer.
	ReadTimeout     time.Duration
	WriteTimeout    time.Duration
	IdleTimeout     time.Duration
	ShutdownTimeout time.Duration
}

// Version is the router's version, set at build time with -ldflags.
var Version = "dev"

// ConfigFromEnv reads Config with getenv (os.Getenv in main, a map in tests).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	cfg := Config{
		Host:            or(getenv("HOST"), "127.0.0.1"),
		ProfilesDir:     or(getenv("LASSO_PROFILES_DIR"), "./profiles"),
		NodeID:          or(getenv("LASSO_NODE_ID"), "local"),
		ReadTimeout:     30 * time.Second,
		WriteTimeout:    60 * time.Second,
		IdleTimeout:     120 * time.Second,
		ShutdownTimeout: 15 * time.Second,
	}
	port, err := strconv.Atoi(or(getenv("PORT"), "4000"))
	if err != nil || port < 0 || port > 65535 {
		return cfg, fmt.Errorf("PORT %q: want a port number", getenv("PORT"))
	}
	cfg.Port = port
	if cfg.LogLevel, err = telemetry.ParseLevel(getenv("LOG_LEVEL")); err != nil {
		return cfg, err
	}
	var known bool
	if cfg.DefaultStrategy, known = routing.ParseToken(or(getenv("LASSO_DEFAULT_STRATEGY"), routing.Default)); !known {
		return cfg, fmt.Errorf("LASSO_DEFAULT_STRATEGY %q: want load_balanced, priority, fastest or latency_weighted", getenv("LASSO_DEFAULT_STRATEGY"))
	}
	return cfg, nil
}

// Addr is the listen address.
func (c Config) Addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
