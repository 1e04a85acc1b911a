package awsconfig

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/lasso-serverless/lasso/shared/profile"
)

// Defaults of SourceOptions.
const (
	DefaultTTL            = 60 * time.Second
	DefaultRefreshTimeout = 2 * time.Second
	DefaultProfilesDir    = "./profiles"
)

// deadlineMargin is the time a background refresh leaves before the
// invocation's deadline, so that waiting for it never times the invocation
// out; with less time left the refresh waits for a later invocation.
const deadlineMargin = 250 * time.Millisecond

// minSecret is the shortest value the scrub list holds, as in package
// profile: scrubbing shorter ones would garble unrelated log text.
const minSecret = 6

// SourceOptions says where the configuration comes from. Zero values are the
// documented defaults.
type SourceOptions struct {
	// SSMPath (LASSO_PROFILES_SSM_PATH), when set, is the Parameter Store
	// path holding one parameter per profile; ProfilesDir is then unused.
	SSMPath string
	// SecretsID (LASSO_SECRETS_ID), when set, names a Secrets Manager secret
	// (name or ARN) holding a JSON object of ${VAR} values. The environment
	// wins over it.
	SecretsID string
	// ClientKeysID (LASSO_CLIENT_KEYS_ID), when set, names a secret holding
	// {"<client name>": "<api key>"}: the API keys clients present, and the
	// name each one is rate-limited and logged under. It may equal SecretsID
	// (one secret, one call), but then every entry is also a client key.
	ClientKeysID string
	// ProfilesDir holds the bundled profile files, read when SSMPath is
	// empty (default ./profiles).
	ProfilesDir string
	// TTL (LASSO_CONFIG_TTL) is how old the configuration gets before a
	// refresh is due (default 60 s; negative: never refresh).
	TTL time.Duration
	// RefreshTimeout bounds a refresh started by MaybeRefresh (default 2 s).
	RefreshTimeout time.Duration
	// Env resolves ${VAR} before the secret does (default os.LookupEnv).
	Env profile.Lookup
	// Now is the clock that ages the configuration (default time.Now).
	// Timeouts stay on real time.
	Now func() time.Time
	// Log receives one warning per failed refresh (default: discarded).
	Log *slog.Logger
	// Scrub, when set, is called with the new scrub list (see
	// Source.Secrets) before each load is published, the first included:
	// the app passes its log scrubber's Set, so that no log line written
	// with a new configuration can carry one of its secrets unscrubbed.
	Scrub func(secrets []string)
	// SSM and Secrets are the AWS clients. When nil and needed, they are
	// built from config.LoadDefaultConfig: the region from AWS_REGION,
	// credentials from the Lambda environment, and endpoints overridden by
	// AWS_ENDPOINT_URL_SSM and AWS_ENDPOINT_URL_SECRETS_MANAGER, which the
	// SDK reads itself.
	SSM     SSMAPI
	Secrets SecretsManagerAPI
}

// Source is the configuration of a process: loaded once, read lock-free,
// refreshed after a TTL, and never replaced by a load that failed.
type Source struct {
	opts SourceOptions
	cur  atomic.Pointer[snapshot]
	// attempted is when the last load started (opts.Now, Unix ns): the
	// configuration ages from there, so a failed refresh is retried one
	// TTL later, not on every invocation while SSM is down.
	attempted atomic.Int64

	mu     sync.Mutex
	flight *flight // the refresh in progress, if any
}

// snapshot is one successful load.
type snapshot struct {
	cfg        *profile.Config
	own        []string          // this load's secret values
	scrub      []string          // own and the previous load's, longest first
	clientKeys map[string]string // API key -> client name
}

// flight is one refresh; done closes when err is set.
type flight struct {
	done chan struct{}
	err  error
}

// NewSource loads the configuration once. The error, when the load fails,
// holds every problem (errors.As finds the profile.Problems): the router
// must not start with a broken configuration.
func NewSource(ctx context.Context, opts SourceOptions) (*Source, error) {
	if opts.ProfilesDir == "" {
		opts.ProfilesDir = DefaultProfilesDir
	}
	if opts.TTL == 0 {
		opts.TTL = DefaultTTL
	}
	if opts.RefreshTimeout <= 0 {
		opts.RefreshTimeout = DefaultRefreshTimeout
	}
	if opts.Env == nil {
		opts.Env = os.LookupEnv
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	needSSM := opts.SSMPath != "" && opts.SSM == nil
	needSecrets := (opts.SecretsID != "" || opts.ClientKeysID != "") && opts.Secrets == nil
	if needSSM || needSecrets {
		awsCfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("aws config: %w", err)
		}
		if needSSM {
			opts.SSM = ssm.NewFromConfig(awsCfg)
		}
		if needSecrets {
			opts.Secrets = secretsmanager.NewFromConfig(awsCfg)
		}
	}
	s := &Source{opts: opts}
	s.attempted.Store(opts.Now().UnixNano())
	snap, err := s.load(ctx)
	if err != nil {
		return nil, fmt.Errorf("load configuration (%s): %w", s.describe(), err)
	}
	s.publish(snap)
	return s, nil
}

// Current is the configuration to serve with: never nil, never locked. A
// request should read it once and use that value throughout.
func (s *Source) Current() *profile.Config { return s.cur.Load().cfg }

// Secrets is the scrub list: every secret value of the current load (those
// the profiles hold, and every value of the secrets, used or not, of at least
// six characters) and of the load before it, which requests begun before the
// swap may still be using. Longest first; the slice is the caller's.
func (s *Source) Secrets() []string { return slices.Clone(s.cur.Load().scrub) }

// ClientKey names the client that presents an API key: ok is false for a key
// that the client-keys secret does not hold, and always without one.
func (s *Source) ClientKey(key string) (name string, ok bool) {
	name, ok = s.cur.Load().clientKeys[key]
	return name, ok
}

// Stale reports whether a refresh is due: the TTL has passed since the last
// load started, successful or not.
func (s *Source) Stale() bool {
	if s.opts.TTL < 0 {
		return false
	}
	return s.opts.Now().Sub(time.Unix(0, s.attempted.Load())) >= s.opts.TTL
}

// Refresh reloads the configuration when it is stale, and waits for the
// result; it returns nil at once when the configuration is fresh. A refresh
// already in progress is joined, not repeated. The new configuration is
// published only when it loads in full; a failure keeps the last good one,
// is logged once as a warning (never with a secret value), and is returned.
//
// It blocks for the whole load: use it where waiting is fine (a ticker in a
// long-lived process), and MaybeRefresh on a request path.
func (s *Source) Refresh(ctx context.Context) error {
	f, leader := s.start()
	if f == nil {
		return nil
	}
	if leader {
		s.run(ctx, f)
		return f.err
	}
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// MaybeRefresh starts a refresh when the configuration is stale and none is
// in progress, and returns a func that waits for it (a no-op func otherwise;
// calling it twice is fine).
//
// It is built for Lambda, where no goroutine may outlive the invocation that
// started it (the environment freezes between invocations), yet a request
// must not wait for SSM. An invocation calls it first and defers the wait:
//
//	defer src.MaybeRefresh(ctx)()
//
// The refresh then runs beside the request, which is served with the
// configuration it read from Current; the next invocation gets the new one.
// The refresh is bounded by RefreshTimeout and by the invocation's deadline
// less a margin, and is detached from ctx's cancellation (a client hanging
// up does not fail it). So at most once per TTL per container, one
// invocation finishes up to RefreshTimeout later than its request would
// have; no other invocation waits, and concurrent callers (a process serving
// many requests) start one refresh between them. A process that is not
// frozen between requests may drop the returned func and let the refresh
// finish on its own.
func (s *Source) MaybeRefresh(ctx context.Context) (wait func()) {
	if !s.Stale() {
		return noWait
	}
	timeout := s.opts.RefreshTimeout
	if d, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(d)-deadlineMargin)
		if timeout <= 0 {
			return noWait // too late in this invocation; a later one refreshes
		}
	}
	f, leader := s.start()
	if !leader {
		return noWait
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	go func() {
		defer cancel()
		s.run(rctx, f)
	}()
	return func() { <-f.done }
}

func noWait() {}

// start returns the refresh to run (leader) or to join, or nil when the
// configuration is fresh. Staleness is checked again under the lock, so a
// caller that saw stale just as another refresh finished does not start a
// second.
func (s *Source) start() (f *flight, leader bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.flight != nil {
		return s.flight, false
	}
	if !s.Stale() {
		return nil, false
	}
	s.attempted.Store(s.opts.Now().UnixNano())
	s.flight = &flight{done: make(chan struct{})}
	return s.flight, true
}

// run loads, publishes or logs, and ends the flight.
func (s *Source) run(ctx context.Context, f *flight) {
	begun := time.Now()
	snap, err := s.load(ctx)
	if err == nil {
		s.publish(snap)
		s.opts.Log.LogAttrs(ctx, slog.LevelDebug, "configuration refreshed",
			slog.String("source", s.describe()),
			slog.Int("profiles", len(snap.cfg.Profiles())),
			slog.Float64("took_ms", ms(time.Since(begun))))
	} else {
		// Problems and the errors of this package name files, YAML paths,
		// parameters and keys, never values; the app's scrubber is a second
		// guard.
		s.opts.Log.LogAttrs(ctx, slog.LevelWarn, "configuration refresh failed; keeping the last good configuration",
			slog.String("source", s.describe()),
			slog.Float64("took_ms", ms(time.Since(begun))),
			slog.String("error", err.Error()))
	}
	s.mu.Lock()
	s.flight = nil
	s.mu.Unlock()
	f.err = err
	close(f.done)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// publish swaps in a load, after handing its scrub list to opts.Scrub.
func (s *Source) publish(snap *snapshot) {
	var prev []string
	if old := s.cur.Load(); old != nil {
		prev = old.own
	}
	snap.scrub = scrubList(snap.own, prev)
	if s.opts.Scrub != nil {
		s.opts.Scrub(slices.Clone(snap.scrub))
	}
	s.cur.Store(snap)
}

// load fetches everything and builds a snapshot. The AWS calls run at the
// same time (cold start pays for the slowest, not the sum) and are joined
// before load returns; every failure is reported, not just the first.
func (s *Source) load(ctx context.Context) (*snapshot, error) {
	var (
		wg                       sync.WaitGroup
		files                    map[string][]byte
		secrets, keys            map[string]string
		filesErr, secErr, keyErr error
	)
	sameSecret := s.opts.ClientKeysID == s.opts.SecretsID
	if s.opts.SSMPath != "" {
		wg.Go(func() { files, filesErr = Profiles(ctx, s.opts.SSM, s.opts.SSMPath) })
	}
	if s.opts.SecretsID != "" {
		wg.Go(func() { secrets, secErr = Secrets(ctx, s.opts.Secrets, s.opts.SecretsID) })
	}
	if s.opts.ClientKeysID != "" && !sameSecret {
		wg.Go(func() { keys, keyErr = Secrets(ctx, s.opts.Secrets, s.opts.ClientKeysID) })
	}
	wg.Wait()
	if sameSecret {
		keys = secrets
	}
	if err := errors.Join(filesErr, secErr, keyErr); err != nil {
		return nil, err
	}
	snap := &snapshot{}
	if s.opts.ClientKeysID != "" {
		byKey, err := clientKeys(s.opts.ClientKeysID, keys)
		if err != nil {
			return nil, err
		}
		snap.clientKeys = byKey
	}
	lookup := Lookup(s.opts.Env, secrets)
	var err error
	if files != nil {
		snap.cfg, err = profile.Load(files, lookup)
	} else {
		snap.cfg, err = profile.LoadDir(s.opts.ProfilesDir, lookup)
	}
	if err != nil {
		return nil, err
	}
	own := slices.Clone(snap.cfg.Secrets())
	for _, v := range secrets {
		own = append(own, v)
	}
	for k := range snap.clientKeys {
		own = append(own, k)
	}
	snap.own = own
	return snap, nil
}

// describe names where the configuration comes from, for logs and errors.
func (s *Source) describe() string {
	d := "profiles dir " + s.opts.ProfilesDir
	if s.opts.SSMPath != "" {
		d = "profiles ssm " + s.opts.SSMPath
	}
	if s.opts.SecretsID != "" {
		d += ", secrets " + s.opts.SecretsID
	}
	if s.opts.ClientKeysID != "" {
		d += ", client keys " + s.opts.ClientKeysID
	}
	return d
}

// scrubList merges secret lists: distinct values of at least minSecret
// characters, longest first so that scrubbing a key never leaves part of a
// longer one.
func scrubList(lists ...[]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range lists {
		for _, v := range l {
			if len(v) >= minSecret && !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		if d := len(b) - len(a); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	return out
}
