package redisstore

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/lasso-serverless/lasso/shared/breaker"
	"github.com/lasso-serverless/lasso/shared/routing"
)

// State keeps routing evidence and rate-limited-until in Redis, and reads
// breaker state through a breaker.Store (the Redis one, in production).
//
// Evidence keys share the hash tag of their (profile, chain), and
// rate-limit keys the tag of their upstream instance, as the design's key
// plan says, so a cluster serves each group from one slot.
type State struct {
	rdb      redis.UniversalClient
	breakers breaker.Store
	queued   *Breakers // breakers, when they live in the same Redis
	ttl      time.Duration
}

var _ routing.Store = (*State)(nil)

// stateTTL lets keys of providers that left the configuration expire.
const stateTTL = 24 * time.Hour

// NewState returns a State on rdb.
func NewState(rdb redis.UniversalClient, breakers breaker.Store) *State {
	s := &State{rdb: rdb, breakers: breakers, ttl: stateTTL}
	if b, ok := breakers.(*Breakers); ok {
		s.queued = b // their reads join ours: one round trip per plan
	}
	return s
}

func evidenceKey(k routing.ChannelKey) string {
	return "{p:" + k.Profile + ":" + k.Chain + "}:ev:" + k.Provider + ":" + k.Transport
}

func limitKey(k breaker.Key) string {
	return "{u:" + k.Instance + "}:rl:" + k.Transport
}

// Load implements routing.Store: every channel's breaker, evidence and rate
// limit in one pipeline (breakers kept elsewhere are read first).
func (s *State) Load(ctx context.Context, chans []routing.Channel) ([]routing.ChannelState, error) {
	keys := make([]breaker.Key, len(chans))
	for i, ch := range chans {
		keys[i] = ch.Breaker
	}
	pipe := s.rdb.Pipeline()
	var breakers func() ([]breaker.State, error)
	if s.queued != nil {
		breakers = s.queued.QueueLoad(ctx, pipe, keys)
	} else {
		bs, err := s.breakers.Load(ctx, keys)
		if err != nil {
			return nil, err
		}
		breakers = func() ([]breaker.State, error) { return bs, nil }
	}
	evs := make([]*redis.MapStringStringCmd, len(chans))
	lims := make([]*redis.StringCmd, len(chans))
	for i, ch := range chans {
		evs[i] = pipe.HGetAll(ctx, evidenceKey(ch.Evidence))
		lims[i] = pipe.Get(ctx, limitKey(ch.Breaker))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, err
	}
	bs, err := breakers()
	if err != nil {
		return nil, err
	}
	out := make([]routing.ChannelState, len(chans))
	for i := range chans {
		out[i] = routing.ChannelState{Breaker: bs[i], Evidence: decodeEvidence(evs[i].Val())}
		if ms, err := lims[i].Int64(); err == nil {
			out[i].LimitedUntil = time.UnixMilli(ms)
		}
	}
	return out, nil
}

// observeScript folds one outcome into a channel's evidence atomically: the
// same arithmetic as routing.Evidence.Observe (EWMA with alpha 1/8; the
// first success sets the mean; reliability starts at 1).
var observeScript = redis.NewScript(`
local k = KEYS[1]
local success = ARGV[1] == "1"
local latency = tonumber(ARGV[2])
local now = ARGV[3]
local alpha = 0.125
local e = redis.call("HMGET", k, "lat", "rel", "ok", "cf", "seen")
local lat = tonumber(e[1]) or 0
local rel = tonumber(e[2])
local ok = tonumber(e[3]) or 0
local cf = tonumber(e[4]) or 0
if e[5] == false then rel = 1 end
local sample = 0
if success then
  sample = 1
  ok = ok + 1
  cf = 0
  if lat == 0 then
    lat = latency
  else
    local d = alpha * (latency - lat) -- truncated toward zero, as Go's conversion
    if d >= 0 then d = math.floor(d) else d = math.ceil(d) end
    lat = lat + d
  end
else
  cf = cf + 1
end
rel = rel + alpha * (sample - rel)
redis.call("HSET", k, "lat", lat, "rel", tostring(rel), "ok", ok, "cf", cf, "seen", now)
redis.call("PEXPIRE", k, ARGV[4])
return 1
`)

// markScript raises a rate-limited-until, never lowering it.
var markScript = redis.NewScript(`
local cur = tonumber(redis.call("GET", KEYS[1]) or "0")
local v = tonumber(ARGV[1])
if v > cur then
  redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
end
return 1
`)

// Observe implements routing.Store: evidence and rate limit in one pipeline.
func (s *State) Observe(ctx context.Context, ch routing.Channel, o routing.Observation) error {
	if !o.Evidence && o.LimitedUntil.IsZero() {
		return nil
	}
	pipe := s.rdb.Pipeline()
	if o.Evidence {
		success := "0"
		if o.Success {
			success = "1"
		}
		observeScript.Eval(ctx, pipe, []string{evidenceKey(ch.Evidence)},
			success, int64(o.Latency), o.Now.UnixMilli(), s.ttl.Milliseconds())
	}
	if !o.LimitedUntil.IsZero() {
		ttl := max(o.LimitedUntil.Sub(o.Now), time.Second) + time.Minute
		markScript.Eval(ctx, pipe, []string{limitKey(ch.Breaker)}, o.LimitedUntil.UnixMilli(), ttl.Milliseconds())
	}
	_, err := pipe.Exec(ctx)
	return err
}

func decodeEvidence(m map[string]string) routing.Evidence {
	if len(m) == 0 {
		return routing.Evidence{}
	}
	lat, _ := strconv.ParseInt(m["lat"], 10, 64)
	rel, _ := strconv.ParseFloat(m["rel"], 64)
	ok, _ := strconv.Atoi(m["ok"])
	cf, _ := strconv.Atoi(m["cf"])
	seen, _ := strconv.ParseInt(m["seen"], 10, 64)
	return routing.Evidence{
		Latency:             time.Duration(lat),
		Reliability:         rel,
		Successes:           ok,
		ConsecutiveFailures: cf,
		LastSeen:            time.UnixMilli(seen),
	}
}
