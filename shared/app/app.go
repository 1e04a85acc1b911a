package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/lasso-serverless/lasso/shared/awsconfig"
	"github.com/lasso-serverless/lasso/shared/breaker"
	"github.com/lasso-serverless/lasso/shared/httpapi"
	"github.com/lasso-serverless/lasso/shared/probe"
	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/proxy"
	"github.com/lasso-serverless/lasso/shared/ratelimit"
	"github.com/lasso-serverless/lasso/shared/redisstore"
	"github.com/lasso-serverless/lasso/shared/routing"
	"github.com/lasso-serverless/lasso/shared/rpcclient"
	"github.com/lasso-serverless/lasso/shared/telemetry"
)

// App is a built router.
type App struct {
	cfg     Config
	log     *slog.Logger
	handler *httpapi.Handler
	client  *rpcclient.Client
	redis   redis.UniversalClient // nil without REDIS_URL
	src     *awsconfig.Source
	prober  *probe.Prober
}

// coldStartBudget bounds loading the configuration (SSM, Secrets Manager)
// at start: a Lambda init phase has 10 s in all.
const coldStartBudget = 8 * time.Second

// BeginInvocation refreshes the configuration beside a request when it is
// older than its TTL (at most once per TTL, one refresh at a time). The
// returned end waits for that refresh: a Lambda invocation calls it before
// returning, since nothing may outlive it; the local server need not.
func (a *App) BeginInvocation(ctx context.Context) (end func()) {
	return a.src.MaybeRefresh(ctx)
}

// FitResponse shrinks a response body to limit bytes for a transport that
// refuses more (shared/lambdahttp's Options.Fit): the largest answers become
// "response too large" errors with their ids. Every use is logged, since a
// client lost an answer and the operator should know which limit bit.
func (a *App) FitResponse(body []byte, limit int) []byte {
	out := httpapi.FitResponse(body, limit)
	a.log.Warn("response over the transport's size limit: largest answers replaced by errors",
		"size_bytes", len(body), "limit_bytes", limit, "sent_bytes", len(out))
	return out
}

// Options are the parts a caller may supply; zero values mean the real ones.
type Options struct {
	LogOutput io.Writer       // default os.Stdout
	Lookup    profile.Lookup  // default os.LookupEnv
	Transport proxy.Transport // default a pooled HTTP client
	// Clock drives breakers, evidence, rate limits and the configuration's
	// age (default time.Now);
	// tests move it instead of sleeping. Deadlines stay on real time.
	Clock func() time.Time
	// Seed fixes the router's random choices (0: from the clock).
	Seed uint64
	// Redis is the shared-state client to use instead of one built from
	// REDIS_URL (tests attach hooks to it).
	Redis redis.UniversalClient
	// Limiter keeps client rate limits (default a ratelimit.Memory on
	// Clock: per container). The Redis-backed redisstore.ClientLimiter goes
	// here when the process has Redis.
	Limiter ratelimit.Limiter
}

// New loads the profiles and builds the router. A broken profile set is an
// error listing every problem: the router never starts half-configured.
func New(cfg Config, opts Options) (*App, error) {
	if opts.LogOutput == nil {
		opts.LogOutput = os.Stdout
	}
	if opts.Lookup == nil {
		opts.Lookup = os.LookupEnv
	}
	// The scrubber exists before any secret is loaded: every configuration
	// hands it its secrets before it is published.
	scrub := telemetry.NewScrubber(nil)
	log := telemetry.NewLogger(opts.LogOutput, cfg.LogLevel, scrub)
	ctx, cancel := context.WithTimeout(context.Background(), coldStartBudget)
	defer cancel()
	src, err := awsconfig.NewSource(ctx, awsconfig.SourceOptions{
		SSMPath: cfg.ProfilesSSMPath, SecretsID: cfg.SecretsID, ClientKeysID: cfg.ClientKeysID, ProfilesDir: cfg.ProfilesDir,
		TTL: cfg.ConfigTTL, Env: opts.Lookup, Log: log, Scrub: withStatic(scrub.Set, cfg.StatusToken), Now: opts.Clock,
	})
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, log: log, src: src}
	transport := opts.Transport
	if transport == nil {
		a.client = rpcclient.New(rpcclient.Options{})
		transport = a.client
	}
	routerOpts := routing.Options{Log: log, Now: opts.Clock, Seed: opts.Seed}
	var probes probe.Store = probe.NewMemory()
	limiter := opts.Limiter
	if rdb := opts.Redis; rdb != nil || cfg.RedisURL != "" {
		redisstore.SetLogger(log)
		if rdb == nil {
			if rdb, err = redisstore.NewClient(cfg.RedisURL, cfg.RedisCluster); err != nil {
				return nil, err
			}
			a.redis = rdb // ours to close
		}
		// The router's own jitter is not reachable from here; recovery
		// times are spread with the breaker package's default.
		breakers := redisstore.NewBreakers(rdb, breaker.DefaultConfig(), breaker.RandomJitter)
		routerOpts.Breakers = breakers
		routerOpts.State = redisstore.NewState(rdb, breakers)
		routerOpts.Snapshot = time.Second // the design's per-container snapshot
		probes = redisstore.NewProbes(rdb)
		if limiter == nil {
			limiter = redisstore.NewClientLimiter(rdb)
		}
		log.Info("shared state in Redis", "redis", redisstore.RedactURL(cfg.RedisURL), "cluster", cfg.RedisCluster)
	}
	if limiter == nil {
		limiter = ratelimit.NewMemory(clockOr(opts.Clock))
	}
	heads := probe.NewSnapshot(probes, time.Second, opts.Clock, log)
	routerOpts.Heads = heads.View
	router := routing.New(routerOpts)
	forwarder := proxy.NewForwarder(router, router, transport, proxy.Options{Log: log})
	a.prober = newProber(log, opts.Clock, forwarder, transport, probes, src)
	a.handler = httpapi.New(httpapi.Options{
		Config:          src.Current,
		Pipeline:        pipeline(log, forwarder),
		Log:             log,
		NodeID:          cfg.NodeID,
		DefaultStrategy: cfg.DefaultStrategy,
		Version:         Version,
		Limiter:         limiter,
		TrustedProxies:  cfg.TrustedProxies,
		ClientKey:       clientKeys(cfg, src),
		Inspect:         inspect(router, heads, clockOr(opts.Clock)),
		StatusToken:     cfg.StatusToken,
	})
	return a, nil
}

func clockOr(clock func() time.Time) func() time.Time {
	if clock == nil {
		return time.Now
	}
	return clock
}

// withStatic adds secrets of the process's own (the status token) to every
// set the configuration hands the scrubber.
func withStatic(set func([]string), static ...string) func([]string) {
	static = slices.DeleteFunc(static, func(s string) bool { return s == "" })
	return func(secrets []string) { set(slices.Concat(secrets, static)) }
}

// clientKeys is the operator's list of client API keys, when there is one.
func clientKeys(cfg Config, src *awsconfig.Source) func(string) (string, bool) {
	if cfg.ClientKeysID == "" {
		return nil
	}
	return src.ClientKey
}

// pipeline is the whole request path of one call, outermost first. The
// forwarder's router plans each call and keeps the channels' health.
func pipeline(log *slog.Logger, forwarder *proxy.Forwarder) proxy.Handler {
	return proxy.Chain(forwarder, proxy.Recover(log), proxy.Local)
}

// Handler is the router's HTTP API.
func (a *App) Handler() http.Handler { return a.handler }

// Logger is the router's logger.
func (a *App) Logger() *slog.Logger { return a.log }

// ListenAndServe serves on the configured address until ctx ends, then
// drains in-flight requests for up to ShutdownTimeout.
func (a *App) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.cfg.Addr())
	if err != nil {
		return err
	}
	return a.Serve(ctx, ln)
}

// Serve serves on ln until ctx ends.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: a.cfg.ReadTimeout,
		ReadTimeout:       a.cfg.ReadTimeout,
		WriteTimeout:      a.cfg.WriteTimeout,
		IdleTimeout:       a.cfg.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	a.log.Info("listening", "addr", ln.Addr().String(), "node_id", a.cfg.NodeID, "version", Version)
	// The local server probes its providers itself; on Lambda the probe
	// function does (functions/probe).
	go a.RunProbes(ctx, time.Time{})
	// A long-running process reloads its profiles on the TTL, keeping the
	// last good configuration when a reload fails.
	if a.cfg.ConfigTTL > 0 {
		go func() {
			t := time.NewTicker(a.cfg.ConfigTTL)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					_ = a.src.Refresh(ctx)
				}
			}
		}()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down", "grace", a.cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if a.client != nil {
		a.client.Close()
	}
	if a.redis != nil {
		_ = a.redis.Close()
	}
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
		return serr
	}
	return err
}

// Check validates the profiles without serving, from wherever the
// configuration says they are (the directory, or SSM with secrets): it
// prints every problem and returns false, or a summary and true.
func Check(cfg Config, lookup profile.Lookup, out io.Writer) bool {
	ctx, cancel := context.WithTimeout(context.Background(), coldStartBudget)
	defer cancel()
	src, err := awsconfig.NewSource(ctx, awsconfig.SourceOptions{
		SSMPath: cfg.ProfilesSSMPath, SecretsID: cfg.SecretsID, ProfilesDir: cfg.ProfilesDir, TTL: -1, Env: lookup,
	})
	if err != nil {
		fmt.Fprintln(out, err)
		return false
	}
	for _, p := range src.Current().Profiles() {
		providers := 0
		for _, c := range p.Chains {
			providers += len(c.Providers)
		}
		fmt.Fprintf(out, "ok %s (%s): %d chains, %d providers\n", p.Slug, p.File, len(p.Chains), providers)
	}
	return true
}
