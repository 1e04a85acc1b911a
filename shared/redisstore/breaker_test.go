package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/lasso-serverless/lasso/shared/breaker"
	"github.com/lasso-serverless/lasso/shared/breaker/breakertest"
	"github.com/lasso-serverless/lasso/shared/redisstore/redistest"
)

var breakerT0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// breakerClient connects through NewClient, as production does, and closes
// the client when the test ends.
func breakerClient(t testing.TB, url string, cluster bool) redis.UniversalClient {
	t.Helper()
	rdb, err := NewClient(url, cluster)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// breakerFlush empties every master, so that each store the contract asks
// for is isolated from the previous ones.
func breakerFlush(t testing.TB, rdb redis.UniversalClient) {
	t.Helper()
	ctx := context.Background()
	var err error
	if c, ok := rdb.(*redis.ClusterClient); ok {
		err = c.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error { return m.FlushAll(ctx).Err() })
	} else {
		err = rdb.FlushAll(ctx).Err()
	}
	if err != nil {
		t.Fatal(err)
	}
}

func TestBreakersContractStandalone(t *testing.T) {
	s := redistest.Start(t)
	rdb := breakerClient(t, "redis://"+s.Addr, false)
	var stores []*Breakers
	breakertest.Contract(t, func(t *testing.T, cfg breaker.Config) breaker.Store {
		breakerFlush(t, rdb)
		b := NewBreakers(rdb, cfg, breaker.RandomJitter)
		stores = append(stores, b)
		return b
	})
	var conflicts uint64
	for _, b := range stores {
		conflicts += b.conflicts.Load()
	}
	t.Logf("compare-and-set conflicts over the contract: %d", conflicts)
}

func TestBreakersContractCluster(t *testing.T) {
	c := redistest.StartCluster(t)
	rdb := breakerClient(t, "redis://"+strings.Join(c.Addrs(), ","), true)
	breakertest.Contract(t, func(t *testing.T, cfg breaker.Config) breaker.Store {
		breakerFlush(t, rdb)
		return NewBreakers(rdb, cfg, breaker.RandomJitter)
	})
}

// On a cluster, the keys of one Load live on different masters; the Load is
// still one pipeline call, and reads back what was written on each.
func TestBreakersClusterLoadSpansNodes(t *testing.T) {
	c := redistest.StartCluster(t)
	rdb := breakerClient(t, "redis://"+strings.Join(c.Addrs(), ","), true)
	ctx := context.Background()
	b := NewBreakers(rdb, breaker.DefaultConfig(), nil)
	keys := breakerKeys(8)
	for i, k := range keys {
		for range i % 3 {
			if _, err := b.Record(ctx, k, breaker.Outcome{Category: "network_error"}, breakerT0); err != nil {
				t.Fatal(err)
			}
		}
	}
	nodes := map[string]bool{}
	for _, k := range keys {
		m, err := rdb.(*redis.ClusterClient).MasterForKey(ctx, breakerKey(k))
		if err != nil {
			t.Fatal(err)
		}
		nodes[m.Options().Addr] = true
	}
	if len(nodes) < 2 {
		t.Fatalf("the 8 keys all hash to one master (%v): the test proves nothing", nodes)
	}
	h := breakerCountHooks(rdb)
	got, err := b.Load(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	if calls := h.calls(); calls != 1 {
		t.Errorf("Load of 8 keys over %d masters: %d client calls, want 1 pipeline", len(nodes), calls)
	}
	for i, s := range got {
		if s.Failures != i%3 {
			t.Errorf("key %d: Failures %d, want %d", i, s.Failures, i%3)
		}
	}
}

// Two containers: two clients (two pools), two Breakers values, one server.
func TestBreakersTwoContainersShareState(t *testing.T) {
	s := redistest.Start(t)
	cfg := breaker.DefaultConfig()
	one := NewBreakers(breakerClient(t, "redis://"+s.Addr, false), cfg, breaker.RandomJitter)
	two := NewBreakers(breakerClient(t, "redis://"+s.Addr, false), cfg, breaker.RandomJitter)
	ctx := context.Background()
	a := breaker.Key{Instance: "alchemy-eth", Transport: "http"}

	// two sees a closed breaker first, so its memory of the key is stale
	// from then on.
	if st, err := two.Load(ctx, []breaker.Key{a}); err != nil || st[0] != (breaker.State{}) {
		t.Fatalf("Load = %+v, %v; want closed", st, err)
	}
	var opened breaker.State
	for range 5 {
		var err error
		if opened, err = one.Record(ctx, a, breaker.Outcome{Category: "server_error"}, breakerT0); err != nil {
			t.Fatal(err)
		}
	}
	st, err := two.Load(ctx, []breaker.Key{a})
	if err != nil || st[0].Phase != breaker.Open || !st[0].OpenUntil.Equal(opened.OpenUntil) {
		t.Fatalf("two's Load after one opened it: %+v, %v; want open until %v", st, err, opened.OpenUntil)
	}
	// The trial taken through two holds the lease for one.
	if d, _, err := two.Admit(ctx, a, opened.OpenUntil); err != nil || d != breaker.AllowTrial {
		t.Fatalf("two's Admit at the deadline = %v, %v; want the trial", d, err)
	}
	if d, _, err := one.Admit(ctx, a, opened.OpenUntil.Add(time.Second)); err != nil || d != breaker.Busy {
		t.Fatalf("one's Admit during two's trial = %v, %v; want busy", d, err)
	}
	// one's memory is stale (it last saw the open state); its Record still
	// applies to the half-open state two wrote.
	st1, err := one.Record(ctx, a, breaker.Outcome{Success: true}, opened.OpenUntil.Add(time.Second))
	if err != nil || st1.Phase != breaker.HalfOpen || st1.Successes != 1 || !st1.TrialUntil.IsZero() {
		t.Fatalf("one's Record of the trial's success = %+v, %v; want half-open, 1 success, lease released", st1, err)
	}
}

// Exactly one trial fleet-wide: 50 goroutines over two containers admit a
// due breaker at once.
func TestBreakersOneTrialAcrossContainers(t *testing.T) {
	s := redistest.Start(t)
	cfg := breaker.DefaultConfig()
	stores := []*Breakers{
		NewBreakers(breakerClient(t, "redis://"+s.Addr, false), cfg, breaker.RandomJitter),
		NewBreakers(breakerClient(t, "redis://"+s.Addr, false), cfg, breaker.RandomJitter),
	}
	ctx := context.Background()
	a := breaker.Key{Instance: "alchemy-eth", Transport: "http"}
	for round := range 5 {
		breakerFlush(t, stores[0].rdb)
		var opened breaker.State
		for range 5 {
			var err error
			if opened, err = stores[round%2].Record(ctx, a, breaker.Outcome{Category: "server_error"}, breakerT0); err != nil {
				t.Fatal(err)
			}
		}
		const n = 50
		trials, busy := breakertest.AdmitRace(t, []breaker.Store{stores[0], stores[1]}, a, opened.OpenUntil, n)
		if trials != 1 || busy != n-1 {
			t.Fatalf("round %d: %d trials, %d busy; want 1 and %d", round, trials, busy, n-1)
		}
	}
}

// Concurrent failures recorded through two containers all count.
func TestBreakersRecordsAcrossContainersLoseNothing(t *testing.T) {
	s := redistest.Start(t)
	cfg := breaker.DefaultConfig()
	cfg.Thresholds = map[string]int{"server_error": 1000}
	stores := []*Breakers{
		NewBreakers(breakerClient(t, "redis://"+s.Addr, false), cfg, nil),
		NewBreakers(breakerClient(t, "redis://"+s.Addr, false), cfg, nil),
	}
	ctx := context.Background()
	a := breaker.Key{Instance: "alchemy-eth", Transport: "http"}
	const n = 100
	var wg sync.WaitGroup
	for g := range n {
		wg.Go(func() {
			if _, err := stores[g%2].Record(ctx, a, breaker.Outcome{Category: "server_error"}, breakerT0); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, err := stores[0].Load(ctx, []breaker.Key{a})
	if err != nil || got[0].Failures != n {
		t.Fatalf("after %d concurrent failures over two containers: %+v, %v", n, got, err)
	}
	t.Logf("%d concurrent records over two containers: %d conflicts, at most %d script runs for one call",
		n, stores[0].conflicts.Load()+stores[1].conflicts.Load(), max(stores[0].worst.Load(), stores[1].worst.Load()))
}

// breakerHooks counts the client calls that reach the network: a command
// (ProcessHook) or a pipeline (ProcessPipelineHook) is one round trip.
type breakerHooks struct{ process, pipeline atomic.Int64 }

func breakerCountHooks(rdb redis.UniversalClient) *breakerHooks {
	h := &breakerHooks{}
	rdb.AddHook(h)
	return h
}

func (h *breakerHooks) calls() int64 {
	n := h.process.Load() + h.pipeline.Load()
	h.process.Store(0)
	h.pipeline.Store(0)
	return n
}

func (h *breakerHooks) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *breakerHooks) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.process.Add(1)
		return next(ctx, cmd)
	}
}

func (h *breakerHooks) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.pipeline.Add(1)
		return next(ctx, cmds)
	}
}

func breakerKeys(n int) []breaker.Key {
	keys := make([]breaker.Key, n)
	for i := range keys {
		keys[i] = breaker.Key{Instance: fmt.Sprintf("provider-%d", i), Transport: "http"}
	}
	return keys
}

// The hot path's budget, counted at the client: Load of 8 keys is one round
// trip; Record and Admit are one when this container's last sight of the key
// is current, two when another container changed it since.
func TestBreakersRoundTrips(t *testing.T) {
	s := redistest.Start(t)
	rdb := breakerClient(t, "redis://"+s.Addr, false)
	other := NewBreakers(breakerClient(t, "redis://"+s.Addr, false), breaker.DefaultConfig(), nil)
	b := NewBreakers(rdb, breaker.DefaultConfig(), nil)
	ctx := context.Background()
	keys := breakerKeys(8)
	server := breaker.Outcome{Category: "server_error"}
	ok := breaker.Outcome{Success: true}
	if _, err := b.Record(ctx, keys[0], server, breakerT0); err != nil { // loads the script
		t.Fatal(err)
	}
	h := breakerCountHooks(rdb)
	expect := func(what string, want int64, f func() error) {
		t.Helper()
		h.calls()
		if err := f(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if got := h.calls(); got != want {
			t.Errorf("%s: %d round trips, want %d", what, got, want)
		}
	}
	load := func() error { _, err := b.Load(ctx, keys); return err }
	record := func(k breaker.Key, o breaker.Outcome) func() error {
		return func() error { _, err := b.Record(ctx, k, o, breakerT0); return err }
	}

	expect("Load of 8 keys", 1, load)
	expect("Record of a success on a healthy breaker, after Load", 1, record(keys[1], ok))
	expect("Record of a failure, after Load", 1, record(keys[2], server))
	expect("Record of the success that resets it", 1, record(keys[2], ok))
	expect("Record on a key never seen (absent key guessed)", 1, record(breaker.Key{Instance: "new", Transport: "ws"}, server))
	for range 5 {
		expect("Record of failures up to opening", 1, record(keys[3], server))
	}
	expect("Admit of the open breaker, rejected", 1, func() error {
		d, _, err := b.Admit(ctx, keys[3], breakerT0)
		if err == nil && d != breaker.Reject {
			err = fmt.Errorf("decision %v, want reject", d)
		}
		return err
	})
	expect("Admit of the due breaker, the trial", 1, func() error {
		d, _, err := b.Admit(ctx, keys[3], breakerT0.Add(time.Hour))
		if err == nil && d != breaker.AllowTrial {
			err = fmt.Errorf("decision %v, want the trial", d)
		}
		return err
	})

	// Another container changes keys[4]: b's guess is stale. The conflict
	// answer carries the current state, so a transition is one more trip.
	if _, err := other.Record(ctx, keys[4], server, breakerT0); err != nil {
		t.Fatal(err)
	}
	expect("Record of a failure after another container's", 2, record(keys[4], server))
	if _, err := other.Record(ctx, keys[4], ok, breakerT0); err != nil {
		t.Fatal(err)
	}
	expect("Record of a success after another container reset it (no write)", 1, record(keys[4], ok))
	expect("Load after all that", 1, load)
}

// A script whose reply was lost and that go-redis sent again must not apply
// an outcome twice: the hook below runs every script twice, as a retry after
// a lost reply would.
func TestBreakersRetriedScriptAppliesOnce(t *testing.T) {
	s := redistest.Start(t)
	rdb := breakerClient(t, "redis://"+s.Addr, false)
	b := NewBreakers(rdb, breaker.DefaultConfig(), nil)
	ctx := context.Background()
	a := breaker.Key{Instance: "alchemy-eth", Transport: "http"}
	if _, err := b.Record(ctx, a, breaker.Outcome{Success: true}, breakerT0); err != nil { // loads the script
		t.Fatal(err)
	}
	rdb.AddHook(breakerTwiceHook{})
	for i := 1; i <= 3; i++ {
		st, err := b.Record(ctx, a, breaker.Outcome{Category: "network_error"}, breakerT0)
		if err != nil || st.Failures != i {
			t.Fatalf("failure %d, each script run twice: %+v, %v; want %d failures", i, st, err, i)
		}
	}
	got, _ := b.Load(ctx, []breaker.Key{a})
	if got[0].Phase != breaker.Open || got[0].Failures != 3 {
		t.Fatalf("stored %+v, want open after exactly 3 failures", got[0])
	}
}

type breakerTwiceHook struct{}

func (breakerTwiceHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (breakerTwiceHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (breakerTwiceHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if n := cmd.Name(); n == "evalsha" || n == "eval" {
			_ = next(ctx, cmd)
		}
		return next(ctx, cmd)
	}
}

// A killed server makes every call fail fast, without a panic; once it is
// back (empty, script cache included), the same Breakers value works again.
func TestBreakersServerDownAndBack(t *testing.T) {
	s := redistest.Start(t)
	rdb := breakerClient(t, "redis://"+s.Addr, false)
	b := NewBreakers(rdb, breaker.DefaultConfig(), breaker.RandomJitter)
	ctx := context.Background()
	keys := breakerKeys(3)
	for range 5 {
		if _, err := b.Record(ctx, keys[0], breaker.Outcome{Category: "server_error"}, breakerT0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Load(ctx, keys); err != nil { // pooled connections exist
		t.Fatal(err)
	}

	s.Stop()
	calls := map[string]func() error{
		"Load":  func() error { _, err := b.Load(ctx, keys); return err },
		"Admit": func() error { _, _, err := b.Admit(ctx, keys[0], breakerT0.Add(time.Hour)); return err },
		"Record": func() error {
			_, err := b.Record(ctx, keys[1], breaker.Outcome{Category: "server_error"}, breakerT0)
			return err
		},
	}
	for round := range 3 {
		for name, call := range calls {
			start := time.Now()
			err := call()
			took := time.Since(start)
			if err == nil {
				t.Fatalf("%s with the server down: no error", name)
			}
			if took > time.Second {
				t.Errorf("%s with the server down took %v, want under 1s", name, took)
			}
			if round == 0 {
				t.Logf("server down: %s failed in %v: %v", name, took.Round(time.Microsecond), err)
			}
		}
	}
	// The admission an error gives is a refusal.
	if d, _, err := b.Admit(ctx, keys[2], breakerT0); err == nil || d.Allowed() {
		t.Fatalf("Admit with the server down = %v, %v; want a refusal and an error", d, err)
	}

	s.Restart(t)
	start := time.Now()
	for {
		_, err := b.Load(ctx, keys)
		if err == nil {
			break
		}
		if time.Since(start) > 5*time.Second {
			t.Fatalf("Load still failing 5s after the restart: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("first successful Load %v after the restart", time.Since(start).Round(time.Millisecond))
	// The restarted server is empty: this container's memory of keys[0]
	// (open) is stale and its script is gone; both must heal on their own.
	st, err := b.Record(ctx, keys[0], breaker.Outcome{Category: "network_error"}, breakerT0)
	if err != nil || st.Phase != breaker.Closed || st.Failures != 1 {
		t.Fatalf("Record after the restart = %+v, %v; want closed with 1 failure (the server forgot the open state)", st, err)
	}
	if d, _, err := b.Admit(ctx, keys[0], breakerT0); err != nil || d != breaker.Allow {
		t.Fatalf("Admit after the restart = %v, %v; want allow", d, err)
	}
}

// Writes carry a TTL; a breaker back to closed with no failures is deleted.
func TestBreakersKeyLifecycle(t *testing.T) {
	s := redistest.Start(t)
	rdb := breakerClient(t, "redis://"+s.Addr, false)
	b := NewBreakers(rdb, breaker.DefaultConfig(), nil)
	ctx := context.Background()
	a := breaker.Key{Instance: "alchemy-eth", Transport: "ws"}
	if breakerKey(a) != "{u:alchemy-eth}:cb:ws" {
		t.Fatalf("key %q", breakerKey(a))
	}
	if _, err := b.Record(ctx, a, breaker.Outcome{Category: "server_error"}, breakerT0); err != nil {
		t.Fatal(err)
	}
	ttl, err := rdb.PTTL(ctx, breakerKey(a)).Result()
	if err != nil || ttl <= 23*time.Hour || ttl > breakerTTL {
		t.Fatalf("TTL after a write = %v, %v; want about %v", ttl, err, breakerTTL)
	}
	fields, err := rdb.HGetAll(ctx, breakerKey(a)).Result()
	if _, hasPhase := fields["phase"]; err != nil || hasPhase || fields["failures"] != "1" || fields["ver"] == "" || len(fields) != 2 {
		t.Fatalf("stored fields %v, %v", fields, err)
	}
	if _, err := b.Record(ctx, a, breaker.Outcome{Success: true}, breakerT0); err != nil {
		t.Fatal(err)
	}
	if n, err := rdb.Exists(ctx, breakerKey(a)).Result(); err != nil || n != 0 {
		t.Fatalf("key after a reset: exists=%d, %v; want deleted", n, err)
	}
}

// A hash whose fields do not parse reads as a phase the machine does not
// know: it admits one trial, which rewrites the hash whole.
func TestBreakersCorruptHash(t *testing.T) {
	s := redistest.Start(t)
	rdb := breakerClient(t, "redis://"+s.Addr, false)
	b := NewBreakers(rdb, breaker.DefaultConfig(), nil)
	ctx := context.Background()
	a := breaker.Key{Instance: "alchemy-eth", Transport: "http"}
	if err := rdb.HSet(ctx, breakerKey(a), "ver", "x", "phase", "open", "failures", "many").Err(); err != nil {
		t.Fatal(err)
	}
	got, err := b.Load(ctx, []breaker.Key{a})
	if err != nil || got[0].Phase != breakerCorrupt {
		t.Fatalf("Load of a corrupt hash = %+v, %v; want the unknown phase", got, err)
	}
	if p := breaker.DefaultConfig().PhaseAt(got[0], breakerT0); p != breaker.HalfOpen {
		t.Fatalf("PhaseAt of the corrupt state = %v, want half_open", p)
	}
	d, st, err := b.Admit(ctx, a, breakerT0)
	if err != nil || d != breaker.AllowTrial || st.Phase != breaker.HalfOpen {
		t.Fatalf("Admit of a corrupt hash = %v, %+v, %v; want a trial", d, st, err)
	}
	if got, _ := b.Load(ctx, []breaker.Key{a}); got[0] != st {
		t.Fatalf("Load after the trial = %+v, want %+v", got[0], st)
	}
}

// Times are stored in milliseconds: the states Admit and Record return are
// already rounded, so that they equal what Load reads later.
func TestBreakersMillisecondStates(t *testing.T) {
	s := redistest.Start(t)
	rdb := breakerClient(t, "redis://"+s.Addr, false)
	b := NewBreakers(rdb, breaker.DefaultConfig(), func(max time.Duration) time.Duration { return max - 1 }) // sub-ms jitter
	ctx := context.Background()
	a := breaker.Key{Instance: "alchemy-eth", Transport: "http"}
	now := breakerT0.Add(123456789 * time.Nanosecond)
	var st breaker.State
	for range 5 {
		var err error
		if st, err = b.Record(ctx, a, breaker.Outcome{Category: "server_error"}, now); err != nil {
			t.Fatal(err)
		}
	}
	if st.OpenUntil.Nanosecond()%int(time.Millisecond) != 0 {
		t.Fatalf("OpenUntil %v is not whole milliseconds", st.OpenUntil)
	}
	if got, _ := b.Load(ctx, []breaker.Key{a}); got[0] != st {
		t.Fatalf("Load = %+v, Record returned %+v", got[0], st)
	}
	_, trial, err := b.Admit(ctx, a, st.OpenUntil.Add(time.Nanosecond*999))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := b.Load(ctx, []breaker.Key{a}); got[0] != trial {
		t.Fatalf("Load = %+v, Admit returned %+v", got[0], trial)
	}
}

// An expired deadline is an error that says so.
func TestBreakersContextErrorsAreWrapped(t *testing.T) {
	s := redistest.Start(t)
	b := NewBreakers(breakerClient(t, "redis://"+s.Addr, false), breaker.DefaultConfig(), nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	time.Sleep(time.Millisecond)
	if _, err := b.Load(ctx, breakerKeys(2)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Load with an expired deadline: %v", err)
	}
}

// A storm of state changes beyond what one key can take (every Record a
// change, from 8 containers at once, with no pause between calls) ends some
// calls with ErrBreakerContention, but every outcome is applied exactly once
// or refused, never lost silently nor applied twice.
func TestBreakersWriteStormAppliesOnceOrRefuses(t *testing.T) {
	s := redistest.Start(t)
	cfg := breaker.DefaultConfig()
	cfg.Thresholds = map[string]int{"server_error": 1 << 30}
	const containers, each = 8, 100
	var stores []*Breakers
	for range containers {
		stores = append(stores, NewBreakers(breakerClient(t, "redis://"+s.Addr, false), cfg, nil))
	}
	ctx := context.Background()
	a := breaker.Key{Instance: "alchemy-eth", Transport: "http"}
	var applied, refused atomic.Int64
	var wg sync.WaitGroup
	for _, b := range stores {
		wg.Go(func() {
			for range each {
				_, err := b.Record(ctx, a, breaker.Outcome{Category: "server_error"}, breakerT0)
				switch {
				case err == nil:
					applied.Add(1)
				case errors.Is(err, ErrBreakerContention):
					refused.Add(1)
				default:
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	got, err := stores[0].Load(ctx, []breaker.Key{a})
	if err != nil {
		t.Fatal(err)
	}
	if int64(got[0].Failures) != applied.Load() {
		t.Fatalf("Failures %d, but %d calls succeeded (%d refused)", got[0].Failures, applied.Load(), refused.Load())
	}
	var conflicts uint64
	var worst int64
	for _, b := range stores {
		conflicts += b.conflicts.Load()
		worst = max(worst, b.worst.Load())
	}
	t.Logf("%d containers x %d changes: %d applied, %d refused, %d conflicts, at most %d script runs per call",
		containers, each, applied.Load(), refused.Load(), conflicts, worst)
}

// The storm real traffic makes: an upstream dies and every container's
// in-flight request records a network error at once. Three open the
// breaker; the open breaker absorbs the rest without a write.
func TestBreakersFailureBurstOpensOnce(t *testing.T) {
	s := redistest.Start(t)
	const containers = 32
	var stores []*Breakers
	for range containers {
		stores = append(stores, NewBreakers(breakerClient(t, "redis://"+s.Addr, false), breaker.DefaultConfig(), breaker.RandomJitter))
	}
	ctx := context.Background()
	a := breaker.Key{Instance: "alchemy-eth", Transport: "http"}
	for round := range 5 {
		breakerFlush(t, stores[0].rdb)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for _, b := range stores {
			wg.Go(func() {
				<-start
				for range 3 {
					if _, err := b.Record(ctx, a, breaker.Outcome{Category: "network_error"}, breakerT0); err != nil {
						t.Error(err)
					}
				}
			})
		}
		close(start)
		wg.Wait()
		got, err := stores[0].Load(ctx, []breaker.Key{a})
		if err != nil || got[0].Phase != breaker.Open || got[0].Failures != 3 {
			t.Fatalf("round %d: %+v, %v; want open after exactly 3 failures", round, got, err)
		}
	}
	var worst int64
	for _, b := range stores {
		worst = max(worst, b.worst.Load())
	}
	t.Logf("%d containers x 3 network errors at once: at most %d script runs per call", containers, worst)
}
