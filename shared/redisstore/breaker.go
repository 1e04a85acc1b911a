package redisstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/lasso-serverless/lasso/shared/breaker"
)

// Breakers is the breaker.Store of a fleet: every container's breakers in
// Redis, one hash per (instance, transport) at `{u:<instance>}:cb:<transport>`,
// so that an upstream's breakers (and its rate limit, in a sibling file) share
// a cluster slot.
//
// The rules stay in Go. Redis never decides a transition: Admit and Record
// compute the next state with breaker.Config (the one state machine of the
// project, jitter drawn in Go) and write it with a compare-and-set script that
// applies it only if the hash still holds the version the computation started
// from. On a conflict the script answers with the current state in the same
// round trip, and the transition is computed again from it, a bounded number
// of times. A pure-Lua port would be one round trip always, but a second copy
// of the rules that only a differential test could keep equal to the first.
//
// The version a computation starts from is this process's last sight of the
// key (the Load a request just made, or the last write), kept per key; the
// common case, an outcome recorded right after the Load that routed the
// request, is therefore one round trip, and so is any Admit or Record whose
// guess was stale but whose transition, computed from the state the conflict
// answer carries, writes nothing (a success on a healthy breaker, a failure
// on an open one, a Busy or a Reject). A stale guess that must write costs
// two. Versions are random, not counters, so a key deleted and written again
// (a closed breaker, an expired key, a restarted server) can never be
// mistaken for the one a stale guess saw.
//
// Contention: writes of one key take turns within a process, so only other
// containers can make a write lose; a write that lost once asks for the key's
// claim (a short-lived lock beside the hash, taken by the script itself),
// which refuses every other writer until its holder has written, so that no
// container's writes keep losing to another's. What this cannot lift is the
// price of keeping the rules in Go: one state change of a key per round trip
// or two, fleet-wide. Breakers change state rarely (a healthy breaker absorbs
// successes and an open one failures without writing), so that is far above
// real traffic; a storm of changes beyond it ends some calls with
// ErrBreakerContention after breakerMaxAttempts runs, never with an outcome
// lost silently or applied twice.
//
// A closed breaker with no failures is the absent key; any other state is
// written whole, with a time to live (a day, refreshed on every write) so
// that upstreams that leave the configuration do not leak. Instants are
// stored in unix milliseconds, so states round-trip at that resolution (the
// states Admit and Record return are already rounded down to it).
type Breakers struct {
	rdb    redis.UniversalClient
	cfg    breaker.Config
	jitter func(time.Duration) time.Duration
	ttl    time.Duration

	seq   atomic.Uint64 // orders this process's sightings of keys
	mu    sync.Mutex
	slots map[breaker.Key]*breakerSlot

	conflicts atomic.Uint64 // compare-and-set attempts that lost a race
	worst     atomic.Int64  // the most script runs one call needed
}

var _ breaker.Store = (*Breakers)(nil)

// ErrBreakerContention is returned when a breaker update lost the race for
// its key too many times in a row; the caller treats it as any other Redis
// trouble.
var ErrBreakerContention = errors.New("redisstore: breaker update lost too many races for its key")

const (
	// breakerTTL is how long a breaker key outlives its last write.
	breakerTTL = 24 * time.Hour
	// breakerMaxAttempts bounds the compare-and-set loop of one call.
	breakerMaxAttempts = 16
	// breakerClaimTTL bounds how long a claim blocks other writers of a key
	// if its holder never comes back (a Lambda frozen mid-call); a holder
	// normally uses it within one round trip.
	breakerClaimTTL = 20 * time.Millisecond
	// breakerMaxSlots bounds the per-key memory of this process; beyond it
	// the memory is forgotten, which costs a conflict, never a wrong answer.
	breakerMaxSlots = 1 << 14
	// breakerCorrupt is the phase of a hash whose fields do not parse. The
	// machine trusts a phase it does not know no more than a half-open
	// breaker: it admits one trial, whose Admit rewrites the hash whole.
	breakerCorrupt = breaker.Phase(255)
)

// NewBreakers returns the store on rdb applying cfg. jitter is passed to
// Config.Record when a breaker opens (nil means none; production passes
// breaker.RandomJitter).
func NewBreakers(rdb redis.UniversalClient, cfg breaker.Config, jitter func(time.Duration) time.Duration) *Breakers {
	return &Breakers{rdb: rdb, cfg: cfg, jitter: jitter, ttl: breakerTTL, slots: make(map[breaker.Key]*breakerSlot)}
}

// breakerKey is the Redis key of one breaker.
func breakerKey(k breaker.Key) string {
	return "{u:" + k.Instance + "}:cb:" + k.Transport
}

// Load reads the states of keys in one pipelined round trip (a cluster
// client splits it per node, in parallel). It returns the states as stored:
// Load is given no instant, and a store takes time only from its caller, so
// applying Config.Restore (or PhaseAt, RetryIn, Admit, which already treat an
// expired deadline as due) is the caller's, with its own now.
func (b *Breakers) Load(ctx context.Context, keys []breaker.Key) ([]breaker.State, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return []breaker.State{}, nil
	}
	pipe := b.rdb.Pipeline()
	result := b.QueueLoad(ctx, pipe, keys)
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("redisstore: breaker load: %w", err)
	}
	return result()
}

// QueueLoad queues the reads of Load on pipe, for a caller that sends them in
// one round trip with reads of its own; the returned function decodes them
// once pipe has been executed.
func (b *Breakers) QueueLoad(ctx context.Context, pipe redis.Pipeliner, keys []breaker.Key) func() ([]breaker.State, error) {
	cmds := make([]*redis.Cmd, len(keys))
	for i, k := range keys {
		args := make([]any, 2, 2+len(breakerFieldArgs))
		args[0], args[1] = "hmget", breakerKey(k)
		cmds[i] = pipe.Do(ctx, append(args, breakerFieldArgs...)...)
	}
	return func() ([]breaker.State, error) {
		out := make([]breaker.State, len(keys))
		vers := make([]string, len(keys))
		for i, cmd := range cmds {
			vals, err := cmd.Slice()
			if err != nil {
				return nil, fmt.Errorf("redisstore: breaker load %s: %w", breakerKey(keys[i]), err)
			}
			vers[i], out[i] = decodeBreaker(vals)
		}
		b.sawAll(keys, vers, out)
		return out, nil
	}
}

// Admit runs Config.Admit on the current state of key and, when it grants the
// trial, writes the lease in the same compare-and-set, so that of any number
// of callers across the fleet exactly one gets AllowTrial. The state read is
// first passed through Config.Restore at now, which changes no decision the
// machine would take on a state this config wrote with a sane clock, but caps
// a deadline or a lease that a container with a clock ahead of ours wrote.
// Decisions that grant no trial write nothing.
func (b *Breakers) Admit(ctx context.Context, key breaker.Key, now time.Time) (breaker.Decision, breaker.State, error) {
	if err := ctx.Err(); err != nil {
		return breaker.Reject, breaker.State{}, err
	}
	var d breaker.Decision
	st, err := b.update(ctx, key, func(cur breaker.State) (breaker.State, bool) {
		var next breaker.State
		d, next = b.cfg.Admit(b.cfg.Restore(cur, now), now)
		return next, d == breaker.AllowTrial
	})
	if err != nil {
		return breaker.Reject, breaker.State{}, err
	}
	return d, st, nil
}

// Record folds o into the state of key with Config.Record, atomically, and
// returns the new state. An outcome that changes nothing (a success on a
// healthy breaker, anything on an open one) writes nothing.
func (b *Breakers) Record(ctx context.Context, key breaker.Key, o breaker.Outcome, now time.Time) (breaker.State, error) {
	if err := ctx.Err(); err != nil {
		return breaker.State{}, err
	}
	return b.update(ctx, key, func(cur breaker.State) (breaker.State, bool) {
		return b.cfg.Record(cur, o, now, b.jitter), true
	})
}

// update is the compare-and-set loop: step computes the next state from the
// current one and whether to write it; the script applies the write only if
// the key still holds the version step started from, or, for a step that
// writes nothing, confirms that the state it decided on is still current.
func (b *Breakers) update(ctx context.Context, key breaker.Key, step func(breaker.State) (breaker.State, bool)) (breaker.State, error) {
	hash := breakerKey(key)
	keys := []string{hash, hash + ":claim"}
	slot := b.slot(key)
	ver, cur := slot.get()
	fresh := false            // cur is the reply of this call's own script run
	turn := false             // this process's turn to write the key
	token := ""               // this call's claim on the key, once it has lost a race
	holds := false            // the key's claim is this call's
	var blocked time.Duration // how long to let another's claim work
	defer func() {
		if turn {
			<-slot.turn
		}
	}()
	for attempts := 0; ; {
		next, write := step(cur)
		rec := toBreakerRecord(next)
		write = write && rec != toBreakerRecord(cur)
		if !write && fresh && !holds {
			// The conflict answer was the state at one instant of this
			// call, and the step writes nothing on it: decided.
			return rec.state(), nil
		}
		if write && !turn {
			// Writers of one key take turns within this process: its own
			// goroutines never race each other, and each starts from the
			// latest sighting, often the write of the one before it.
			select {
			case slot.turn <- struct{}{}:
				turn = true
			case <-ctx.Done():
				return breaker.State{}, ctx.Err()
			}
			if v, s := slot.get(); v != ver {
				ver, cur, fresh = v, s, false
				continue
			}
		}
		if blocked > 0 {
			// Another container held the claim: it writes within about a
			// round trip. Wait that long rather than spin against it.
			wait := time.NewTimer(blocked)
			select {
			case <-wait.C:
			case <-ctx.Done():
				wait.Stop()
				return breaker.State{}, ctx.Err()
			}
			blocked = 0
		}
		if attempts++; attempts > breakerMaxAttempts {
			return breaker.State{}, fmt.Errorf("%w (%s, %d attempts)", ErrBreakerContention, hash, breakerMaxAttempts)
		} else if attempts > 1 {
			b.noteAttempts(attempts)
		}
		var claimMs int64
		if attempts > 1 {
			// Having lost once, ask for the key's claim: while it holds,
			// only its holder writes, so a container whose writes keep
			// losing to another's (the winner's next write always leaves
			// first) gets its turn.
			if token == "" {
				token = breakerToken()
			}
			claimMs = breakerClaimTTL.Milliseconds()
		}
		newVer := ver
		mode := "keep"
		switch {
		case !write:
		case rec == breakerRecord{}:
			newVer, mode = "", "del"
		default:
			newVer, mode = breakerToken(), "set"
		}
		sent := time.Now()
		res, err := breakerCAS.Run(ctx, b.rdb, keys, rec.args(ver, mode, b.ttl, token, claimMs, newVer)...).Result()
		rtt := time.Since(sent)
		if err != nil {
			return breaker.State{}, fmt.Errorf("redisstore: breaker %s: %w", hash, err)
		}
		seq := b.seq.Add(1)
		if n, ok := res.(int64); ok && n == 1 {
			if write {
				slot.saw(seq, newVer, rec.state())
			}
			return rec.state(), nil
		}
		vals, ok := res.([]any)
		if !ok || len(vals) != len(breakerFieldNames)+1 {
			return breaker.State{}, fmt.Errorf("redisstore: breaker %s: unexpected script reply %T", hash, res)
		}
		ver, cur = decodeBreaker(vals[:len(breakerFieldNames)])
		fresh = true
		slot.saw(seq, ver, cur)
		holder, _ := vals[len(breakerFieldNames)].(string)
		holds = token != "" && holder == token
		b.conflicts.Add(1)
		if holder != "" && !holds {
			blocked = min(rtt, breakerClaimTTL)
		}
	}
}

// breakerToken is a random version or claim token; never "", which is the
// absent key's version.
func breakerToken() string {
	return strconv.FormatUint(rand.Uint64()|1, 36)
}

func (b *Breakers) noteAttempts(n int) {
	for {
		w := b.worst.Load()
		if int64(n) <= w || b.worst.CompareAndSwap(w, int64(n)) {
			return
		}
	}
}

// breakerSlot is this process's memory of one key: its last sighting, the
// guess every compare-and-set starts from, and the turn of its writers.
type breakerSlot struct {
	turn chan struct{} // holds one token while a writer has the turn

	mu  sync.Mutex
	seq uint64
	ver string
	st  breaker.State
}

func (s *breakerSlot) get() (string, breaker.State) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ver, s.st
}

// saw keeps a sighting unless a later one is already kept.
func (s *breakerSlot) saw(seq uint64, ver string, st breaker.State) {
	s.mu.Lock()
	if seq > s.seq {
		s.seq, s.ver, s.st = seq, ver, st
	}
	s.mu.Unlock()
}

func (b *Breakers) slot(k breaker.Key) *breakerSlot {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.slotLocked(k)
}

func (b *Breakers) slotLocked(k breaker.Key) *breakerSlot {
	s := b.slots[k]
	if s == nil {
		if len(b.slots) >= breakerMaxSlots {
			clear(b.slots)
		}
		s = &breakerSlot{turn: make(chan struct{}, 1)}
		b.slots[k] = s
	}
	return s
}

func (b *Breakers) sawAll(keys []breaker.Key, vers []string, states []breaker.State) {
	seq := b.seq.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, k := range keys {
		b.slotLocked(k).saw(seq, vers[i], states[i])
	}
}

// breakerFieldNames are the hash's fields, in the order Load and the script
// read them. Instants are unix milliseconds, 0 for none; phase is the
// breaker.Phase number.
var breakerFieldNames = []string{"ver", "phase", "failures", "open_until", "reopens", "successes", "trial_until", "opened_by"}

// breakerFieldArgs are breakerFieldNames as command arguments, boxed once.
var breakerFieldArgs = func() []any {
	a := make([]any, len(breakerFieldNames))
	for i, f := range breakerFieldNames {
		a[i] = f
	}
	return a
}()

// breakerCAS writes a state computed in Go if the key still holds the
// version it was computed from (empty for an absent key), and nobody else
// holds the key's claim.
//
// KEYS: the breaker hash, its claim. ARGV: the expected version; the mode
// ('keep' writes nothing, 'del' deletes, 'set' replaces the hash whole with
// the field/value pairs from ARGV[6], the new version first, and sets the
// TTL of ARGV[3] ms); the caller's claim token (may be empty); and, if not 0,
// for how many ms to claim the key when the write cannot be applied and the
// claim is free.
//
// It answers 1 (releasing the caller's claim), or the current fields, as Load
// reads them, followed by the claim's holder. A 'keep' is a read, never
// refused by a claim. A 'set' whose new version is already there is this very
// write sent again (go-redis retries a command whose reply was lost): it
// answers 1 without applying the outcome a second time. The script reads no
// clock: breaker instants come from the caller, in the fields; only the
// claim, a lock and no breaker state, expires on the server's.
var breakerCAS = redis.NewScript(`
local claim = redis.call('GET', KEYS[2])
local mine = claim ~= false and claim == ARGV[4]
local cur = redis.call('HGET', KEYS[1], 'ver') or ''
if ARGV[2] == 'set' and cur == ARGV[7] then
  return 1 -- this very write, sent again after its reply was lost
end
if cur ~= ARGV[1] or (claim ~= false and not mine and ARGV[2] ~= 'keep') then
  if ARGV[5] ~= '0' and (claim == false or mine) then
    redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[5])
    claim = ARGV[4]
  end
  local r = redis.call('HMGET', KEYS[1], ` + luaStrings(breakerFieldNames) + `)
  r[#r + 1] = claim
  return r
end
if ARGV[2] == 'set' then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], unpack(ARGV, 6))
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
elseif ARGV[2] == 'del' then
  redis.call('DEL', KEYS[1])
end
if mine then
  redis.call('DEL', KEYS[2])
end
return 1
`)

func luaStrings(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = "'" + s + "'"
	}
	return strings.Join(q, ", ")
}

// breakerRecord is a State as stored: instants in unix milliseconds.
type breakerRecord struct {
	phase, failures, openUntil, reopens, successes, trialUntil int64
	openedBy                                                   string
}

func toBreakerRecord(s breaker.State) breakerRecord {
	return breakerRecord{
		phase:      int64(s.Phase),
		failures:   int64(s.Failures),
		openUntil:  unixMilli(s.OpenUntil),
		reopens:    int64(s.Reopens),
		successes:  int64(s.Successes),
		trialUntil: unixMilli(s.TrialUntil),
		openedBy:   s.OpenedBy,
	}
}

func (r breakerRecord) state() breaker.State {
	return breaker.State{
		Phase:      breaker.Phase(r.phase),
		Failures:   int(r.failures),
		OpenUntil:  fromUnixMilli(r.openUntil),
		Reopens:    int(r.reopens),
		Successes:  int(r.successes),
		TrialUntil: fromUnixMilli(r.trialUntil),
		OpenedBy:   r.openedBy,
	}
}

// args are the script's arguments for writing r as version ver. Fields at
// their zero value are left out (the script replaces the hash whole), so
// that reads of a typical state decode few strings.
func (r breakerRecord) args(expected, mode string, ttl time.Duration, token string, claimMs int64, ver string) []any {
	if mode != "set" {
		return []any{expected, mode, ttl.Milliseconds(), token, claimMs}
	}
	args := make([]any, 0, 21)
	args = append(args, expected, mode, ttl.Milliseconds(), token, claimMs, "ver", ver) // first: the script finds it at ARGV[7]
	for i, v := range [...]int64{r.phase, r.failures, r.openUntil, r.reopens, r.successes, r.trialUntil} {
		if v != 0 {
			args = append(args, breakerFieldArgs[i+1], v)
		}
	}
	if r.openedBy != "" {
		args = append(args, "opened_by", r.openedBy)
	}
	return args
}

// decodeBreaker reads an HMGET reply of breakerFieldNames: an absent key
// (every field nil) is the zero state with version "". A field that does not
// parse makes the state breakerCorrupt, keeping the version so that the next
// write can replace it.
func decodeBreaker(vals []any) (string, breaker.State) {
	str := func(i int) string {
		if i < len(vals) {
			if s, ok := vals[i].(string); ok {
				return s
			}
		}
		return ""
	}
	var n [6]int64
	for i := range n {
		s := str(i + 1)
		if s == "" {
			continue
		}
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v < 0 || (i == 0 && v > 255) {
			return str(0), breaker.State{Phase: breakerCorrupt}
		}
		n[i] = v
	}
	r := breakerRecord{phase: n[0], failures: n[1], openUntil: n[2], reopens: n[3], successes: n[4], trialUntil: n[5], openedBy: str(7)}
	return str(0), r.state()
}

func unixMilli(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromUnixMilli(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}
