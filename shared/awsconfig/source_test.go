package awsconfig_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/awsconfig"
	"github.com/lasso-serverless/lasso/shared/profile"
)

const (
	ssmPath      = "/lasso/profiles"
	secretsID    = "lasso/providers"
	alchemyKey   = "alch-0123456789abcdefghij"
	infuraKey    = "inf-0123456789abcdefghijk"
	unusedSecret = "unused-secret-value-42"
	shortSecret  = "abc" // too short to scrub
	ttl          = time.Minute
)

// rig is an SSM and a Secrets Manager fake holding the testdata profiles and
// their secret, with a clock, a log and the scrub lists handed out.
type rig struct {
	ssm, sm *fakeAWS
	clock   *clock
	log     *logBuffer

	mu     sync.Mutex
	scrubs [][]string
	// onScrub runs inside the Scrub callback (to look at Current then).
	onScrub func()
}

func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{ssm: newSSM(t), sm: newSecretsManager(t), clock: newClock()}
	awsEnv(t, r.ssm, r.sm)
	r.ssm.setParam(ssmPath+"/public", "String", readTestdata(t, "profiles/public.yml"))
	r.ssm.setParam(ssmPath+"/keyed", "SecureString", readTestdata(t, "profiles/keyed.yml"))
	r.sm.setSecret(secretsID, goodSecret())
	return r
}

func goodSecret() map[string]string {
	return map[string]string{
		"ALCHEMY_API_KEY": alchemyKey,
		"INFURA_API_KEY":  infuraKey,
		"UNUSED_TOKEN":    unusedSecret,
		"SHORT":           shortSecret,
	}
}

// opts reads profiles from SSM and variables from an empty environment, then
// the secret; the clients come from the environment (nil here).
func (r *rig) opts() awsconfig.SourceOptions {
	log, buf := newLog()
	r.log = buf
	return awsconfig.SourceOptions{
		SSMPath:   ssmPath,
		SecretsID: secretsID,
		TTL:       ttl,
		Env:       envOf(nil),
		Now:       r.clock.Now,
		Log:       log,
		Scrub: func(s []string) {
			r.mu.Lock()
			r.scrubs = append(r.scrubs, slices.Clone(s))
			f := r.onScrub
			r.mu.Unlock()
			if f != nil {
				f()
			}
		},
	}
}

func (r *rig) scrubCalls() [][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.scrubs)
}

func (r *rig) source(t *testing.T, opts awsconfig.SourceOptions) *awsconfig.Source {
	t.Helper()
	src, err := awsconfig.NewSource(context.Background(), opts)
	if err != nil {
		t.Fatalf("NewSource: %v", err)
	}
	return src
}

func envOf(m map[string]string) profile.Lookup {
	return func(name string) (string, bool) {
		v, ok := m[name]
		return v, ok
	}
}

func providerURL(t *testing.T, cfg *profile.Config, slug, id string) string {
	t.Helper()
	p, ok := cfg.Profile(slug)
	if !ok {
		t.Fatalf("profile %s: not loaded", slug)
	}
	ch, ok := p.Chain("ethereum")
	if !ok {
		t.Fatalf("profile %s: no chain ethereum", slug)
	}
	pr, ok := ch.Provider(id)
	if !ok {
		t.Fatalf("profile %s: no provider %s", slug, id)
	}
	return pr.URL
}

func slugs(cfg *profile.Config) []string {
	var out []string
	for _, p := range cfg.Profiles() {
		out = append(out, p.Slug)
	}
	return out
}

func TestSourceLoadsFromSSMAndSecretsManager(t *testing.T) {
	r := newRig(t)
	r.ssm.setPageSize(1) // paginated through the real client too
	src := r.source(t, r.opts())

	cfg := src.Current()
	if got := slugs(cfg); !slices.Equal(got, []string{"keyed", "public"}) {
		t.Errorf("got profiles %v, want [keyed public]", got)
	}
	if got, want := providerURL(t, cfg, "keyed", "alchemy"), "https://eth-mainnet.g.alchemy.com/v2/"+alchemyKey; got != want {
		t.Errorf("alchemy url: got %q, want %q (from the secret)", got, want)
	}
	if got, want := providerURL(t, cfg, "keyed", "infura"), "https://mainnet.infura.io/v3/"+infuraKey; got != want {
		t.Errorf("infura url: got %q, want %q", got, want)
	}
	p, _ := cfg.Profile("keyed")
	if p.File != ssmPath+"/keyed.yml" {
		t.Errorf("keyed profile: got File %q, want the parameter's name with .yml", p.File)
	}

	// Every secret value is scrubbed, the unused one too; short ones are not.
	secrets := src.Secrets()
	for _, v := range []string{alchemyKey, infuraKey, unusedSecret} {
		if !slices.Contains(secrets, v) {
			t.Errorf("Secrets(): got %q, want it to hold %q", secrets, v)
		}
	}
	if slices.Contains(secrets, shortSecret) {
		t.Errorf("Secrets(): got %q, want no value shorter than 6 characters", secrets)
	}
	if !slices.IsSortedFunc(secrets, func(a, b string) int { return len(b) - len(a) }) {
		t.Errorf("Secrets(): got %q, want longest first", secrets)
	}
	if got := r.scrubCalls(); len(got) != 1 || !slices.Equal(got[0], secrets) {
		t.Errorf("Scrub: got calls %q, want one with %q", got, secrets)
	}

	// Both endpoints came from AWS_ENDPOINT_URL_<SERVICE>: the fakes saw the
	// calls, signed for their service (the fakes check the signatures).
	if n := len(r.ssm.Calls()); n != 2 {
		t.Errorf("SSM: got %d calls, want 2 (two parameters, pages of one)", n)
	}
	if calls := r.sm.Calls(); len(calls) != 1 || calls[0].Target != targetGetSecretValue || calls[0].Body["SecretId"] != secretsID {
		t.Errorf("Secrets Manager: got calls %+v, want one GetSecretValue of %s", calls, secretsID)
	}
}

func TestSourceEnvironmentWinsOverSecret(t *testing.T) {
	const envKey = "from-the-environment-0123"
	r := newRig(t)
	opts := r.opts()
	opts.Env = envOf(map[string]string{"ALCHEMY_API_KEY": envKey})
	src := r.source(t, opts)
	if got, want := providerURL(t, src.Current(), "keyed", "alchemy"), "https://eth-mainnet.g.alchemy.com/v2/"+envKey; got != want {
		t.Errorf("alchemy url: got %q, want %q (the environment first)", got, want)
	}
	if got := providerURL(t, src.Current(), "keyed", "infura"); !strings.HasSuffix(got, infuraKey) {
		t.Errorf("infura url: got %q, want the secret's key (not in the environment)", got)
	}
	for _, v := range []string{envKey, alchemyKey} { // the shadowed secret is still scrubbed
		if !slices.Contains(src.Secrets(), v) {
			t.Errorf("Secrets(): want it to hold %q", v)
		}
	}
}

func TestSourceDefaultEnvironmentIsTheProcess(t *testing.T) {
	const envKey = "from-the-process-env-0123"
	r := newRig(t)
	t.Setenv("ALCHEMY_API_KEY", envKey)
	opts := r.opts()
	opts.Env = nil
	src := r.source(t, opts)
	if got := providerURL(t, src.Current(), "keyed", "alchemy"); !strings.HasSuffix(got, envKey) {
		t.Errorf("alchemy url: got %q, want the process environment's key", got)
	}
}

func TestSourceUnresolvedVariable(t *testing.T) {
	r := newRig(t)
	secret := goodSecret()
	delete(secret, "INFURA_API_KEY")
	r.sm.setSecret(secretsID, secret)

	src, err := awsconfig.NewSource(context.Background(), r.opts())
	if err == nil {
		t.Fatalf("NewSource: got a source with profiles %v, want an error", slugs(src.Current()))
	}
	var ps profile.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("NewSource: got error %v, want it to hold profile.Problems", err)
	}
	if len(ps) != 1 {
		t.Fatalf("got problems %v, want one", ps)
	}
	p := ps[0]
	if p.File != ssmPath+"/keyed.yml" || p.Path != "chains.ethereum.providers[1].url" {
		t.Errorf("got problem at %s %s, want %s/keyed.yml chains.ethereum.providers[1].url", p.File, p.Path, ssmPath)
	}
	for _, w := range []string{"${INFURA_API_KEY}", "in url", "profile keyed", "chain ethereum", "provider infura"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("got error %q, want it to name %q", err, w)
		}
	}
	for _, v := range []string{alchemyKey, unusedSecret} {
		if strings.Contains(err.Error(), v) {
			t.Errorf("got error %q, want it without the secret %q", err, v)
		}
	}
	if len(r.scrubCalls()) != 0 {
		t.Error("Scrub: got a call, want none for a load that failed")
	}
}

func TestSourceFirstLoadFailureIsAnError(t *testing.T) {
	cases := []struct {
		name     string
		setup    func(t *testing.T, r *rig)
		want     []string
		problems bool // the error holds profile.Problems
	}{
		{
			name:  "ssm server error",
			setup: func(t *testing.T, r *rig) { r.ssm.fail(http.StatusInternalServerError) },
			want:  []string{"profiles ssm " + ssmPath, "GetParametersByPath", "500"},
		},
		{
			name:  "secrets manager server error",
			setup: func(t *testing.T, r *rig) { r.sm.fail(http.StatusInternalServerError) },
			want:  []string{"secret " + secretsID, "GetSecretValue", "500"},
		},
		{
			name: "both failing: both reported",
			setup: func(t *testing.T, r *rig) {
				r.ssm.fail(http.StatusInternalServerError)
				r.sm.fail(http.StatusServiceUnavailable)
			},
			want: []string{"GetParametersByPath", "GetSecretValue"},
		},
		{
			name:  "secret missing",
			setup: func(t *testing.T, r *rig) { r.sm.deleteSecret(secretsID) },
			want:  []string{"ResourceNotFoundException"},
		},
		{
			name: "broken profile",
			setup: func(t *testing.T, r *rig) {
				r.ssm.setParam(ssmPath+"/keyed", "SecureString", readTestdata(t, "broken.yml"))
			},
			want:     []string{ssmPath + "/keyed.yml", "chains.ethereum.chain_id"},
			problems: true,
		},
		{
			name: "slug differs from the parameter name",
			setup: func(t *testing.T, r *rig) {
				r.ssm.setParam(ssmPath+"/other", "String", readTestdata(t, "profiles/public.yml"))
			},
			want:     []string{ssmPath + "/other.yml", "slug", `must equal the file name "other"`},
			problems: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			tc.setup(t, r)
			src, err := awsconfig.NewSource(context.Background(), r.opts())
			if err == nil {
				t.Fatalf("NewSource: got a source with profiles %v, want an error", slugs(src.Current()))
			}
			if src != nil {
				t.Error("NewSource: got a source with the error, want nil")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got error %q, want it to contain %q", err, w)
				}
			}
			var ps profile.Problems
			if got := errors.As(err, &ps); got != tc.problems {
				t.Errorf("errors.As(profile.Problems): got %v, want %v (error %v)", got, tc.problems, err)
			}
			for _, v := range []string{alchemyKey, infuraKey, unusedSecret} {
				if strings.Contains(err.Error(), v) {
					t.Errorf("got error %q, want it without the secret %q", err, v)
				}
			}
		})
	}
}

func TestSourceRefreshSwapsAfterTTL(t *testing.T) {
	const rotated = "alch-rotated-9876543210zyxw"
	r := newRig(t)
	var src *awsconfig.Source
	var sawOld []bool // at each Scrub after the first: was Current still the old config?
	var before *profile.Config
	r.onScrub = func() {
		if src != nil {
			sawOld = append(sawOld, src.Current() == before)
		}
	}
	src = r.source(t, r.opts())
	before = src.Current()
	ctx := context.Background()

	// Fresh: no call at all.
	r.clock.Advance(ttl - time.Nanosecond)
	if src.Stale() {
		t.Fatal("Stale: got true before the TTL, want false")
	}
	if err := src.Refresh(ctx); err != nil {
		t.Fatalf("Refresh while fresh: %v", err)
	}
	if n := len(r.ssm.Calls()); n != 1 {
		t.Fatalf("Refresh while fresh: got %d SSM calls in all, want only the first load's", n)
	}

	// Stale: a changed profile and a rotated key are picked up.
	r.clock.Advance(time.Nanosecond)
	if !src.Stale() {
		t.Fatal("Stale: got false at the TTL, want true")
	}
	r.ssm.setParam(ssmPath+"/public", "String", strings.Replace(readTestdata(t, "profiles/public.yml"), "rps_limit: 100", "rps_limit: 7", 1))
	secret := goodSecret()
	secret["ALCHEMY_API_KEY"] = rotated
	r.sm.setSecret(secretsID, secret)
	if err := src.Refresh(ctx); err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	after := src.Current()
	if after == before {
		t.Fatal("Current: got the old config after a successful refresh, want the new one")
	}
	if p, _ := after.Profile("public"); p.RPSLimit != 7 {
		t.Errorf("public rps_limit: got %d, want the changed 7", p.RPSLimit)
	}
	if p, _ := before.Profile("public"); p.RPSLimit != 100 {
		t.Errorf("old config: got rps_limit %d, want 100 (a loaded Config never changes)", p.RPSLimit)
	}
	if got := providerURL(t, after, "keyed", "alchemy"); !strings.HasSuffix(got, rotated) {
		t.Errorf("alchemy url: got %q, want the rotated key", got)
	}
	// The old key is still scrubbed: requests begun before the swap use it.
	for _, v := range []string{rotated, alchemyKey} {
		if !slices.Contains(src.Secrets(), v) {
			t.Errorf("Secrets() after rotation: want it to hold %q", v)
		}
	}
	if !slices.Equal(sawOld, []bool{true}) {
		t.Errorf("Scrub: got Current-was-old %v, want [true]: the scrubber learns new secrets before the config is published", sawOld)
	}
	if src.Stale() {
		t.Error("Stale: got true right after a refresh, want false")
	}

	// One more TTL: the previous key leaves the scrub list.
	r.clock.Advance(ttl)
	if err := src.Refresh(ctx); err != nil {
		t.Fatalf("second Refresh: %v", err)
	}
	if slices.Contains(src.Secrets(), alchemyKey) {
		t.Error("Secrets(): got the key of two loads ago, want it dropped")
	}
	if warns := r.log.lines("WARN"); len(warns) != 0 {
		t.Errorf("got warnings %q, want none", warns)
	}
	if got := r.log.lines("DEBUG"); len(got) != 2 || !strings.Contains(got[0], "configuration refreshed") {
		t.Errorf("got debug lines %q, want two 'configuration refreshed'", got)
	}
}

func TestSourceFailedRefreshKeepsTheLastGoodConfig(t *testing.T) {
	const leaked = "new-secret-in-failed-load-77"
	cases := []struct {
		name    string
		breakIt func(t *testing.T, r *rig)
		want    string // in the warning
	}{
		{"ssm server error", func(t *testing.T, r *rig) { r.ssm.fail(http.StatusInternalServerError) }, "StatusCode: 500"},
		{"secrets manager server error", func(t *testing.T, r *rig) { r.sm.fail(http.StatusInternalServerError) }, "GetSecretValue"},
		{"broken profile", func(t *testing.T, r *rig) {
			r.ssm.setParam(ssmPath+"/keyed", "SecureString", readTestdata(t, "broken.yml"))
		}, "chains.ethereum.chain_id"},
		{"secret value not a string", func(t *testing.T, r *rig) {
			r.sm.setSecret(secretsID, map[string]any{"ALCHEMY_API_KEY": leaked, "INFURA_API_KEY": 12345678901234})
		}, `key \"INFURA_API_KEY\" holds a JSON number`},
		{"unresolved variable", func(t *testing.T, r *rig) {
			r.sm.setSecret(secretsID, map[string]string{"ALCHEMY_API_KEY": leaked})
		}, "unresolved ${INFURA_API_KEY} in url (profile keyed, chain ethereum, provider infura)"},
		{"profiles deleted", func(t *testing.T, r *rig) {
			r.ssm.mu.Lock()
			r.ssm.params = nil
			r.ssm.mu.Unlock()
		}, "none found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			src := r.source(t, r.opts())
			good, goodSecrets := src.Current(), src.Secrets()
			ctx := context.Background()

			tc.breakIt(t, r)
			r.clock.Advance(ttl)
			err := src.Refresh(ctx)
			if err == nil {
				t.Fatal("Refresh: got nil, want the load's error")
			}
			if src.Current() != good {
				t.Error("Current: got a new config after a failed refresh, want the last good one")
			}
			if !slices.Equal(src.Secrets(), goodSecrets) {
				t.Errorf("Secrets: got %q, want the last good load's %q", src.Secrets(), goodSecrets)
			}
			if n := len(r.scrubCalls()); n != 1 {
				t.Errorf("Scrub: got %d calls, want only the first load's", n)
			}
			warns := r.log.lines("WARN")
			if len(warns) != 1 {
				t.Fatalf("got warnings %q, want one", warns)
			}
			for _, w := range []string{"keeping the last good configuration", "profiles ssm " + ssmPath, tc.want} {
				if !strings.Contains(warns[0], w) {
					t.Errorf("warning %s: want it to contain %q", warns[0], w)
				}
			}
			for _, v := range []string{alchemyKey, infuraKey, unusedSecret, leaked, "12345678901234"} {
				if strings.Contains(r.log.String(), v) {
					t.Errorf("log %s: want it without the secret %q", r.log.String(), v)
				}
			}

			// No retry until another TTL has passed: a down SSM is not
			// called on every invocation.
			before := len(r.ssm.Calls()) + len(r.sm.Calls())
			if err := src.Refresh(ctx); err != nil || src.Stale() {
				t.Errorf("Refresh right after a failure: got %v, stale %v; want nil and fresh", err, src.Stale())
			}
			if after := len(r.ssm.Calls()) + len(r.sm.Calls()); after != before {
				t.Errorf("Refresh right after a failure: got %d AWS calls, want none", after-before)
			}

			// Fixed, and one TTL later, the refresh goes through.
			fixed := newRig(t)
			r.ssm.mu.Lock()
			r.ssm.params, r.ssm.failWith = fixed.ssm.params, 0
			r.ssm.mu.Unlock()
			r.sm.fail(0)
			r.sm.setSecret(secretsID, goodSecret())
			r.clock.Advance(ttl)
			if err := src.Refresh(ctx); err != nil {
				t.Fatalf("Refresh after the fix: %v", err)
			}
			if src.Current() == good {
				t.Error("Current: got the old config after the fix, want a new load")
			}
		})
	}
}

func TestMaybeRefreshSingleFlight(t *testing.T) {
	const callers = 32
	r := newRig(t)
	src := r.source(t, r.opts())
	old := src.Current()
	ssmBefore, smBefore := len(r.ssm.Calls()), len(r.sm.Calls())

	if wait := src.MaybeRefresh(context.Background()); wait == nil {
		t.Fatal("MaybeRefresh while fresh: got a nil func, want a no-op")
	} else {
		wait()
	}
	if n := len(r.ssm.Calls()); n != ssmBefore {
		t.Fatalf("MaybeRefresh while fresh: got %d SSM calls, want none", n-ssmBefore)
	}

	r.clock.Advance(ttl)
	release := r.ssm.hold()
	waits := make(chan func(), callers)
	var start sync.WaitGroup
	start.Add(1)
	for range callers {
		go func() {
			start.Wait()
			waits <- src.MaybeRefresh(context.Background())
		}()
	}
	start.Done()
	// Every caller returns while SSM has not answered: none is blocked.
	all := make([]func(), 0, callers)
	for range callers {
		select {
		case w := <-waits:
			all = append(all, w)
		case <-time.After(10 * time.Second):
			t.Fatalf("got %d of %d MaybeRefresh calls back while SSM was held, want all", len(all), callers)
		}
	}
	<-r.ssm.entered
	if src.Current() != old {
		t.Error("Current: changed while the refresh was still loading")
	}

	// A blocking Refresh joins the flight in progress rather than starting
	// another.
	joined := make(chan error, 1)
	go func() { joined <- src.Refresh(context.Background()) }()
	select {
	case err := <-joined:
		t.Fatalf("Refresh returned %v while the flight it joins was held, want it to wait", err)
	case <-time.After(50 * time.Millisecond):
	}

	release()
	for _, w := range all {
		w()
	}
	if err := <-joined; err != nil {
		t.Errorf("joined Refresh: %v", err)
	}
	if n := len(r.ssm.Calls()) - ssmBefore; n != 1 {
		t.Errorf("SSM: got %d calls for %d concurrent MaybeRefresh, want 1", n, callers)
	}
	if n := len(r.sm.Calls()) - smBefore; n != 1 {
		t.Errorf("Secrets Manager: got %d calls, want 1", n)
	}
	if src.Current() == old {
		t.Error("Current: got the old config after the refresh, want the new load")
	}
}

func TestMaybeRefreshIsDetachedFromCancellation(t *testing.T) {
	r := newRig(t)
	src := r.source(t, r.opts())
	old := src.Current()
	r.clock.Advance(ttl)
	release := r.ssm.hold()
	ctx, cancel := context.WithCancel(context.Background())
	wait := src.MaybeRefresh(ctx)
	<-r.ssm.entered
	cancel() // the client hung up; the refresh goes on
	release()
	wait()
	if src.Current() == old {
		t.Errorf("Current: got the old config, want the refresh to finish despite the cancelled request; log %s", r.log.String())
	}
}

func TestMaybeRefreshIsBounded(t *testing.T) {
	r := newRig(t)
	opts := r.opts()
	opts.RefreshTimeout = 100 * time.Millisecond
	src := r.source(t, opts)
	old := src.Current()
	r.clock.Advance(ttl)
	r.ssm.hold() // never answers within the test

	begun := time.Now()
	src.MaybeRefresh(context.Background())()
	if took := time.Since(begun); took > 5*time.Second {
		t.Errorf("wait: took %v, want about RefreshTimeout (100ms)", took)
	}
	if src.Current() != old {
		t.Error("Current: got a new config from a refresh that timed out")
	}
	if warns := r.log.lines("WARN"); len(warns) != 1 || !strings.Contains(warns[0], "deadline exceeded") {
		t.Errorf("got warnings %q, want one naming the deadline", warns)
	}
}

func TestMaybeRefreshLeavesTheInvocationDeadlineAlone(t *testing.T) {
	r := newRig(t)
	src := r.source(t, r.opts())
	r.clock.Advance(ttl)
	before := len(r.ssm.Calls())
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond) // under the margin
	defer cancel()
	src.MaybeRefresh(ctx)()
	if n := len(r.ssm.Calls()) - before; n != 0 {
		t.Errorf("got %d SSM calls with 100ms left in the invocation, want none", n)
	}
	if !src.Stale() {
		t.Error("Stale: got false, want the refresh still due for a later invocation")
	}
}

func TestSourceNegativeTTLNeverRefreshes(t *testing.T) {
	r := newRig(t)
	opts := r.opts()
	opts.TTL = -1
	src := r.source(t, opts)
	r.clock.Advance(24 * time.Hour)
	before := len(r.ssm.Calls())
	src.MaybeRefresh(context.Background())()
	if err := src.Refresh(context.Background()); err != nil || src.Stale() {
		t.Errorf("Refresh: got %v, stale %v; want nil and never stale", err, src.Stale())
	}
	if n := len(r.ssm.Calls()) - before; n != 0 {
		t.Errorf("got %d SSM calls, want none", n)
	}
}

func TestSourceBundledProfilesWithSecretsManager(t *testing.T) {
	sm := newSecretsManager(t)
	awsEnv(t, nil, sm) // SSM points nowhere: it must not be called
	sm.setSecret(secretsID, goodSecret())
	src, err := awsconfig.NewSource(context.Background(), awsconfig.SourceOptions{
		ProfilesDir: "testdata/profiles",
		SecretsID:   secretsID,
		Env:         envOf(nil),
	})
	if err != nil {
		t.Fatalf("NewSource: %v", err)
	}
	if got := providerURL(t, src.Current(), "keyed", "alchemy"); !strings.HasSuffix(got, alchemyKey) {
		t.Errorf("alchemy url: got %q, want the secret's key", got)
	}
	if p, _ := src.Current().Profile("keyed"); p.File != "testdata/profiles/keyed.yml" {
		t.Errorf("keyed: got File %q, want the bundled file", p.File)
	}
}

func TestSourceWithoutAWS(t *testing.T) {
	// No AWS environment at all: a source with neither SSM nor a secret
	// builds no client and makes no call.
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:1")
	t.Setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://127.0.0.1:1")
	src, err := awsconfig.NewSource(context.Background(), awsconfig.SourceOptions{ProfilesDir: "testdata/keyless", Env: envOf(nil)})
	if err != nil {
		t.Fatalf("NewSource: %v", err)
	}
	if got := slugs(src.Current()); !slices.Equal(got, []string{"public"}) {
		t.Errorf("got profiles %v, want [public]", got)
	}
	if _, ok := src.ClientKey("anything"); ok {
		t.Error("ClientKey: got a client without a client-keys secret, want none")
	}
}

func TestSourceClientKeys(t *testing.T) {
	const acme, globex = "acme-key-0123456789", "globex-key-0123456789"
	t.Run("own secret", func(t *testing.T) {
		r := newRig(t)
		r.sm.setSecret("lasso/client-keys", map[string]string{"acme": acme, "globex": globex})
		opts := r.opts()
		opts.ClientKeysID = "lasso/client-keys"
		src := r.source(t, opts)
		for key, want := range map[string]string{acme: "acme", globex: "globex"} {
			if got, ok := src.ClientKey(key); !ok || got != want {
				t.Errorf("ClientKey(%s): got %q, %v, want %q", key, got, ok, want)
			}
		}
		for _, key := range []string{"", "acme", "unknown-key-0123456789"} {
			if got, ok := src.ClientKey(key); ok {
				t.Errorf("ClientKey(%q): got client %q, want none", key, got)
			}
		}
		for _, v := range []string{acme, globex} {
			if !slices.Contains(src.Secrets(), v) {
				t.Errorf("Secrets(): want it to hold the client key %q", v)
			}
		}
		if n := len(r.sm.Calls()); n != 2 {
			t.Errorf("Secrets Manager: got %d calls, want 2 (variables and client keys)", n)
		}
	})
	t.Run("same secret as the variables", func(t *testing.T) {
		r := newRig(t)
		opts := r.opts()
		opts.ClientKeysID = secretsID
		src := r.source(t, opts)
		if got, ok := src.ClientKey(unusedSecret); !ok || got != "UNUSED_TOKEN" {
			t.Errorf("ClientKey: got %q, %v, want UNUSED_TOKEN", got, ok)
		}
		if n := len(r.sm.Calls()); n != 1 {
			t.Errorf("Secrets Manager: got %d calls, want 1 (one secret, read once)", n)
		}
	})
	t.Run("shared key", func(t *testing.T) {
		r := newRig(t)
		r.sm.setSecret("lasso/client-keys", map[string]string{"acme": acme, "initech": acme, "nobody": ""})
		opts := r.opts()
		opts.ClientKeysID = "lasso/client-keys"
		_, err := awsconfig.NewSource(context.Background(), opts)
		if err == nil {
			t.Fatal("NewSource: got a source, want an error")
		}
		for _, w := range []string{`clients "acme" and "initech" have the same API key`, `client "nobody" has an empty API key`} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("got error %q, want it to contain %q", err, w)
			}
		}
		if strings.Contains(err.Error(), acme) {
			t.Errorf("got error %q, want it without the key", err)
		}
	})
}
