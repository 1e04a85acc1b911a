package ratelimit

import (
	"context"
	"hash/maphash"
	"sync"
	"time"
)

var _ Limiter = (*Memory)(nil)

// Memory is a Limiter in one process's memory, on an injected clock: the
// router's limiter when there is no Redis, and the reference the Redis one is
// held to.
//
// It holds a key only while its bucket is not full, since a full bucket
// behaves exactly like no state at all: a key costs memory for at most
// Burst/Rate seconds after its last admitted call. Keys are spread over
// shards, each swept of full buckets whenever it has doubled since its last
// sweep, so the cost of sweeping is constant per call. MaxKeys caps what a
// flood of distinct clients can hold; past it a shard forgets arbitrary
// keys, which hands those clients a full bucket (failing open for them, as
// a Redis outage would) instead of growing without bound.
type Memory struct {
	now    func() time.Time
	base   time.Time
	seed   maphash.Seed
	shards [shardCount]shard
	// perShard is maxPerShard; tests lower it to see the cap at work.
	perShard int
}

// MaxKeys bounds the keys a Memory holds (about 100 bytes each).
const MaxKeys = 1 << 20

const (
	shardCount  = 32
	maxPerShard = MaxKeys / shardCount
	minSweep    = 64 // a shard this small is never swept
)

type shard struct {
	mu        sync.Mutex
	tats      map[string]time.Duration // since Memory.base
	sweepNext int                      // sweep when len(tats) reaches this
}

// NewMemory returns an empty limiter on the clock now (time.Now in
// production; a fake in tests, which then never sleep).
func NewMemory(now func() time.Time) *Memory {
	m := &Memory{now: now, base: now(), seed: maphash.MakeSeed(), perShard: maxPerShard}
	for i := range m.shards {
		m.shards[i].tats = make(map[string]time.Duration)
		m.shards[i].sweepNext = minSweep
	}
	return m
}

// AllowN charges n calls to key under limit.
func (m *Memory) AllowN(ctx context.Context, key string, limit Limit, n int) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	if err := limit.Check(n); err != nil {
		return Result{}, err
	}
	s := &m.shards[maphash.String(m.seed, key)%shardCount]
	s.mu.Lock()
	defer s.mu.Unlock()
	// Read the clock under the lock: racing charges then see instants in
	// the order they apply, as they would with one Redis server.
	now := m.now().Sub(m.base)
	tat, held := s.tats[key]
	if !held {
		tat = now
	}
	newTAT, res := gcra(tat, now, limit, n)
	switch {
	case !res.Admitted():
	case newTAT > now:
		s.tats[key] = newTAT
		if !held && len(s.tats) >= s.sweepNext {
			s.sweep(now, m.perShard)
		}
	case held:
		delete(s.tats, key) // n = 0 on a bucket that has filled up
	}
	return res, nil
}

// sweep forgets full buckets and, at the cap, arbitrary ones down to three
// quarters of it, so that a flood pays for one sweep per cap/4 new keys.
func (s *shard) sweep(now time.Duration, limit int) {
	for k, tat := range s.tats {
		if tat <= now {
			delete(s.tats, k)
		}
	}
	if len(s.tats) >= limit {
		for k := range s.tats {
			if len(s.tats) <= limit*3/4 {
				break
			}
			delete(s.tats, k)
		}
	}
	s.sweepNext = min(max(2*len(s.tats), minSweep), limit)
}

// Len is the number of keys held, full buckets not yet swept included; it
// never exceeds MaxKeys.
func (m *Memory) Len() int {
	total := 0
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.Lock()
		total += len(s.tats)
		s.mu.Unlock()
	}
	return total
}
