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
	// TrustedProxies (LASSO_TRUSTED_PROXIES, default 0) is how many proxies
	// in front of the router append to X-Forwarded-For; client rate limits
	// key on the address they saw. At 0 the header is ignored.
	TrustedProxies int
	// RedisURL (REDIS_URL: redis:// or rediss:// for TLS) shares breakers,
	// evidence, rate limits and client limits between processes (every
	// Lambda container); empty keeps them in this process. RedisCluster
	// (LASSO_REDIS_CLUSTER=true) speaks cluster mode, as ElastiCache
	// Serverless needs. The URL may hold a password: never log it.
	RedisURL     string
	RedisCluster bool
	// Configuration sources on AWS: profiles from an SSM Parameter Store
	// path (LASSO_PROFILES_SSM_PATH, one parameter per profile) instead of
	// ProfilesDir, ${VAR} values from a Secrets Manager secret holding a
	// JSON object (LASSO_SECRETS_ID; the environment wins), reloaded after
	// ConfigTTL (LASSO_CONFIG_TTL, default 60s; a failed reload keeps the
	// last good configuration).
	ProfilesSSMPath string
	SecretsID       string
	ConfigTTL       time.Duration
	// ClientKeysID (LASSO_CLIENT_KEYS_ID) names a Secrets Manager secret
	// holding {"<client name>": "<api key>"}: the keys client rate limits
	// recognise. Empty: any key a client sends is its identity.
	ClientKeysID string
	// StatusToken (LASSO_STATUS_TOKEN), when set, is the bearer token
	// /api/status and /api/metrics require; it never appears in logs.
	StatusToken string
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
	if cfg.TrustedProxies, err = strconv.Atoi(or(getenv("LASSO_TRUSTED_PROXIES"), "0")); err != nil || cfg.TrustedProxies < 0 {
		return cfg, fmt.Errorf("LASSO_TRUSTED_PROXIES %q: want a whole number of proxies, 0 or more", getenv("LASSO_TRUSTED_PROXIES"))
	}
	cfg.ProfilesSSMPath = getenv("LASSO_PROFILES_SSM_PATH")
	cfg.SecretsID = getenv("LASSO_SECRETS_ID")
	cfg.ClientKeysID = getenv("LASSO_CLIENT_KEYS_ID")
	cfg.StatusToken = getenv("LASSO_STATUS_TOKEN")
	cfg.ConfigTTL = time.Minute
	if v := getenv("LASSO_CONFIG_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if secs, serr := strconv.Atoi(v); serr == nil {
			d, err = time.Duration(secs)*time.Second, nil // a bare number is seconds
		}
		if err != nil {
			return cfg, fmt.Errorf("LASSO_CONFIG_TTL %q: want a duration such as 60s", v)
		}
		cfg.ConfigTTL = d
	}
	cfg.RedisURL = getenv("REDIS_URL")
	switch v := getenv("LASSO_REDIS_CLUSTER"); v {
	case "", "false", "0":
	case "true", "1":
		cfg.RedisCluster = true
	default:
		return cfg, fmt.Errorf("LASSO_REDIS_CLUSTER %q: want true or false", v)
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
