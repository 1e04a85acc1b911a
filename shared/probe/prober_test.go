package probe_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lasso-serverless/lasso/shared/breaker"
	"github.com/lasso-serverless/lasso/shared/probe"
)

// TestProbeHealth drives providers through the cases of reference 8 round
// by round: heights and lag, a provider on the wrong chain, a rate limit, a
// refused key, failures with backoff, and recovery.
func TestProbeHealth(t *testing.T) {
	r := newRig(t, nil)
	ctx := context.Background()
	r.ps.at("alpha", "0x1", 1000)
	r.ps.at("beta", "0x1", 990) // lagging
	r.ps.at("gamma", "0x5", 5000)

	next := r.prober.Round(ctx)
	if want := r.clock.Now().Add(12 * time.Second); !next.Equal(want) {
		t.Errorf("next round at %v, want one interval on (%v)", next, want)
	}
	for id, want := range map[string]probe.Health{"alpha": probe.Healthy, "beta": probe.Healthy, "gamma": probe.Misconfigured} {
		if got := r.status(t, id).Health; got != want {
			t.Errorf("%s: health %s (%s), want %s", id, got, r.status(t, id).Reason, want)
		}
	}
	if s := r.status(t, "gamma"); s.Reason != "serves chain 5, not 1" || s.Height != 0 {
		t.Errorf("wrong chain: got reason %q height %d, want the chain named and no height", s.Reason, s.Height)
	}
	if n := r.ps.count("gamma", "eth_blockNumber"); n != 0 {
		t.Errorf("a provider on the wrong chain got %d eth_blockNumber, want none", n)
	}
	v := r.view(t, 1)
	ch, _ := r.cfg.Profiles()[0].Chain("ethereum")
	beta, _ := ch.Provider("beta")
	c, ok := v.Consensus(r.clock.Now())
	if !ok || c != 1000 {
		t.Errorf("consensus %d %v, want 1000 (the wrong chain's 5000 has no vote)", c, ok)
	}
	if lag, ok := v.Lag(beta.InstanceID, c, r.clock.Now(), ch.BlockTime); !ok || lag != -10 {
		t.Errorf("beta's lag %d %v, want -10", lag, ok)
	}

	// Not due yet: nothing is sent.
	r.clock.Advance(5 * time.Second)
	before := r.ps.count("alpha", "eth_chainId")
	r.prober.Round(ctx)
	if r.ps.count("alpha", "eth_chainId") != before {
		t.Error("a round before the interval probed again")
	}

	// Rate limited, refused key, and a provider that went away.
	r.clock.Advance(7 * time.Second)
	r.ps.set("alpha", "eth_chainId", answer{status: 429, retryAfter: 90 * time.Second})
	r.ps.set("beta", "eth_chainId", answer{status: 401})
	r.ps.set("gamma", "eth_chainId", answer{down: true})
	start := r.clock.Now()
	r.prober.Round(ctx)
	if s := r.status(t, "alpha"); s.Health != probe.RateLimited || s.NextAt.Sub(start) < 90*time.Second {
		t.Errorf("429: got %s next in %v, want rate_limited and no probe before its Retry-After", s.Health, s.NextAt.Sub(start))
	}
	if s := r.status(t, "alpha"); s.Height != 1000 {
		t.Errorf("429: the last height is forgotten (%d), want it kept", s.Height)
	}
	if s := r.status(t, "beta"); s.Health != probe.Misconfigured || !strings.Contains(s.Reason, "401") {
		t.Errorf("401: got %s %q, want misconfigured", s.Health, s.Reason)
	}

	// gamma fails round after round (its wrong chain id was the first
	// failure): degraded, then unhealthy from the third, and each wait at
	// least the interval, growing to the 30 s cap.
	wantHealth := []probe.Health{probe.Degraded, probe.Unhealthy, probe.Unhealthy, probe.Unhealthy}
	for i := range wantHealth {
		s := r.status(t, "gamma")
		if s.Health != wantHealth[i] || s.Failures != i+2 {
			t.Fatalf("gamma after %d failures: %s (%d failures), want %s", i+2, s.Health, s.Failures, wantHealth[i])
		}
		if s.Reason != "eth_chainId: connection failed" {
			t.Errorf("reason %q, want the failure in words without the URL", s.Reason)
		}
		wait := s.NextAt.Sub(s.CheckedAt)
		if want := max(12*time.Second, probe.Backoff(i+2, 0.5)); wait != want {
			t.Errorf("gamma after %d failures waits %v, want %v", i+2, wait, want)
		}
		r.clock.Advance(wait)
		if i < len(wantHealth)-1 {
			r.prober.Round(ctx)
		}
	}

	// Recovery: one good round makes it healthy with its head.
	r.ps.at("gamma", "0x1", 1010)
	r.prober.Round(ctx)
	if s := r.status(t, "gamma"); s.Health != probe.Healthy || s.Failures != 0 || s.Height != 1010 || s.Reason != "" {
		t.Errorf("recovered: got %+v, want healthy at 1010 with no failures", s)
	}

	// No record anywhere holds a key from a provider URL.
	for _, s := range r.view(t, 1).Providers {
		if strings.Contains(s.Reason, "SECRET") || strings.Contains(s.Reason, "example") {
			t.Errorf("a reason leaks the provider URL: %q", s.Reason)
		}
	}
}

// TestProbeIsHalfOpenTrial: an open breaker is left alone until it is due
// for a trial, then the probe's eth_blockNumber is that trial, and two good
// probes close it (reference 4) without any client traffic.
func TestProbeIsHalfOpenTrial(t *testing.T) {
	r := newRig(t, nil)
	ctx := context.Background()
	for _, id := range []string{"alpha", "beta", "gamma"} {
		r.ps.at(id, "0x1", 1000)
	}
	ch, _ := r.cfg.Profiles()[0].Chain("ethereum")
	alpha, _ := ch.Provider("alpha")
	key := breaker.Key{Instance: alpha.InstanceID, Transport: "http"}
	for range 5 {
		if _, err := r.breakers.Record(ctx, key, breaker.Outcome{Category: "server_error"}, r.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if st := r.breakerOf(t, "alpha"); st.Phase != breaker.Open {
		t.Fatalf("setup: breaker %v, want open", st.Phase)
	}

	r.prober.Round(ctx)
	if n := r.ps.count("alpha", "eth_blockNumber"); n != 0 {
		t.Errorf("open breaker: the probe sent %d eth_blockNumber, want none before the recovery time", n)
	}
	if s := r.status(t, "alpha"); s.Health != probe.Healthy {
		t.Errorf("open breaker but eth_chainId answers: health %s, want healthy", s.Health)
	}

	for round := 1; round <= 2; round++ {
		r.clock.Advance(61 * time.Second)
		r.prober.Round(ctx)
		if n := r.ps.count("alpha", "eth_blockNumber"); n != round {
			t.Fatalf("round %d after recovery: %d eth_blockNumber reached alpha, want %d (the trial)", round, n, round)
		}
	}
	if st := r.breakerOf(t, "alpha"); st.Phase != breaker.Closed {
		t.Errorf("after two good trials the breaker is %v, want closed", st.Phase)
	}
}

// TestProbeOpensBreakerOfDeadProvider: a provider that stopped answering
// has its breaker opened by probes alone (network errors: 3 in a row), so
// no client call is the first to find out; then probes leave it alone
// until it is due for a trial.
func TestProbeOpensBreakerOfDeadProvider(t *testing.T) {
	r := newRig(t, nil)
	ctx := context.Background()
	for _, id := range []string{"alpha", "beta", "gamma"} {
		r.ps.at(id, "0x1", 1000)
	}
	r.prober.Round(ctx)
	r.ps.set("alpha", "eth_chainId", answer{down: true})
	r.ps.set("alpha", "eth_blockNumber", answer{down: true})
	for round := 1; round <= 3; round++ {
		r.clock.Advance(30 * time.Second)
		r.prober.Round(ctx)
	}
	if st := r.breakerOf(t, "alpha"); st.Phase != breaker.Open {
		t.Fatalf("after 3 failed probe rounds the breaker is %v, want open", st.Phase)
	}
	if s := r.status(t, "alpha"); s.Health != probe.Unhealthy || s.Height != 1000 {
		t.Errorf("dead provider: %s at %d, want unhealthy with its last height kept", s.Health, s.Height)
	}
	sent := r.ps.count("alpha", "eth_blockNumber")
	r.clock.Advance(30 * time.Second)
	r.prober.Round(ctx)
	if got := r.ps.count("alpha", "eth_blockNumber"); got != sent {
		t.Errorf("an open breaker not yet due got %d more eth_blockNumber, want none", got-sent)
	}
}

// TestProbeResumesFromStore: a new Prober (the next Lambda invocation)
// picks up the records and backoffs the last one saved.
func TestProbeResumesFromStore(t *testing.T) {
	r := newRig(t, nil)
	ctx := context.Background()
	r.ps.at("alpha", "0x1", 1000)
	r.ps.at("beta", "0x1", 1000)
	r.ps.set("gamma", "eth_chainId", answer{status: 429, retryAfter: 5 * time.Minute})
	r.prober.Round(ctx)

	// gamma asked for 5 minutes; alpha's next round is one interval on.
	again := r.newProber()
	r.clock.Advance(12 * time.Second)
	calls := r.ps.count("gamma", "eth_chainId")
	again.Round(ctx)
	if got := r.ps.count("gamma", "eth_chainId"); got != calls {
		t.Errorf("gamma probed %d more times, want none within its Retry-After", got-calls)
	}
	if got := r.ps.count("alpha", "eth_chainId"); got != 2 {
		t.Errorf("alpha probed %d times in all, want 2 (one per interval)", got)
	}
	if s := r.status(t, "gamma"); s.Health != probe.RateLimited || s.Failures != 1 {
		t.Errorf("gamma: %s with %d failures, want its rate limit remembered", s.Health, s.Failures)
	}
}

// TestTargets: one target per (chain id, instance) across profiles, the
// shortest interval winning.
func TestTargets(t *testing.T) {
	other := strings.NewReplacer("name: Public", "name: Team", "slug: public", "slug: team",
		"probe_interval_ms: 12000", "probe_interval_ms: 4000",
		"      - id: gamma\n        url: https://gamma.example/rpc\n", "").Replace(profileYAML)
	r := newRig(t, map[string]string{"public.yml": profileYAML, "team.yml": other})
	ts := probe.Targets(r.cfg)
	if len(ts) != 3 {
		t.Fatalf("got %d targets, want 3 (alpha and beta are the same upstreams in both profiles)", len(ts))
	}
	for _, tg := range ts {
		want := 4 * time.Second
		if tg.Provider.ID == "gamma" {
			want = 12 * time.Second
		}
		if tg.Interval != want {
			t.Errorf("%s: interval %v, want %v", tg.Provider.ID, tg.Interval, want)
		}
	}
}
