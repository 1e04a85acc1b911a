package probe

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/lasso-serverless/lasso/shared/proxy"
)

// Options configure a Prober; Pipeline, Transport, Store and Targets are
// required.
type Options struct {
	// Pipeline serves eth_blockNumber with the provider as override: the
	// router's forwarder, so breakers admit and learn from the probe.
	Pipeline proxy.Handler
	// Transport sends eth_chainId straight to the provider.
	Transport proxy.Transport
	Store     Store
	// Targets lists what to probe; it is asked every round, so a
	// configuration reload changes the targets.
	Targets func() []Target
	// Concurrency bounds the providers probed at once (default 8).
	Concurrency int
	// Timeout bounds one provider's round (default 5 s, Lasso's).
	Timeout time.Duration
	Now     func() time.Time // default time.Now
	Jitter  func() float64   // in [0, 1); default random
	Log     *slog.Logger
}

// Prober runs probe rounds. Its records are kept in memory between rounds
// and written through to the Store after each; the first round reads the
// Store, so a probe function picks up where the previous invocation left
// off (backoffs, the block-time estimate).
type Prober struct {
	opts Options

	mu     sync.Mutex
	loaded map[int64]bool
	status map[targetKey]Status
	chains map[int64]Chain
	saving map[int64]*sync.Mutex // one Save per chain at a time: the chain estimate is read-modify-write
}

// New returns a Prober.
func New(opts Options) *Prober {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 8
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Jitter == nil {
		opts.Jitter = rand.Float64
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Prober{opts: opts, loaded: map[int64]bool{}, status: map[targetKey]Status{},
		chains: map[int64]Chain{}, saving: map[int64]*sync.Mutex{}}
}

// Round probes every target due at now, at most Concurrency at a time, and
// returns when they are done with the time the next target is due (zero
// when there are no targets).
func (p *Prober) Round(ctx context.Context) time.Time {
	targets := p.opts.Targets()
	p.load(ctx, targets)
	now := p.opts.Now()
	sem := make(chan struct{}, p.opts.Concurrency)
	var wg sync.WaitGroup
	for _, t := range targets {
		if p.record(t).NextAt.After(now) {
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			p.probe(ctx, t)
		}()
	}
	wg.Wait()
	var next time.Time
	for _, t := range targets {
		if at := p.record(t).NextAt; next.IsZero() || at.Before(next) {
			next = at
		}
	}
	return next
}

// Run calls Round until ctx ends or, when until is not zero, until no
// target is due before until: a Lambda invocation stops a few seconds
// before its deadline, the local server runs until shutdown.
func (p *Prober) Run(ctx context.Context, until time.Time) {
	for ctx.Err() == nil {
		next := p.Round(ctx)
		if next.IsZero() {
			next = p.opts.Now().Add(time.Second) // no targets yet: look again
		}
		if !until.IsZero() && next.After(until) {
			return
		}
		wait := time.NewTimer(max(next.Sub(p.opts.Now()), 10*time.Millisecond))
		select {
		case <-ctx.Done():
			wait.Stop()
		case <-wait.C:
		}
	}
}

// probe runs one target's round and records the result.
func (p *Prober) probe(ctx context.Context, t Target) {
	r := p.round(ctx, t)
	if ctx.Err() != nil && r.Kind != OK {
		return // stopped, not a provider failure
	}
	now := p.opts.Now()
	k := targetKey{t.Chain.ID, t.Provider.InstanceID}

	p.mu.Lock()
	prev := p.status[k]
	s := Next(prev, r, now, t.Interval, p.opts.Jitter())
	p.status[k] = s
	c := p.chains[k.chain]
	if r.HasHeight {
		c = c.Observe(r.Height, now)
		p.chains[k.chain] = c
	}
	lock := p.saving[k.chain]
	if lock == nil {
		lock = &sync.Mutex{}
		p.saving[k.chain] = lock
	}
	p.mu.Unlock()

	if s.Health != prev.Health {
		p.opts.Log.Info("provider health changed", "chain", t.Chain.Key, "provider_id", t.Provider.ID,
			"from", string(orUnknown(prev.Health)), "to", string(s.Health), "reason", s.Reason)
	}
	lock.Lock()
	defer lock.Unlock()
	p.mu.Lock()
	c = p.chains[k.chain] // the newest estimate, whoever wrote it
	p.mu.Unlock()
	if err := p.opts.Store.Save(ctx, k.chain, k.instance, s, c); err != nil {
		p.opts.Log.Warn("probe record not saved", "chain", t.Chain.Key, "provider_id", t.Provider.ID, "error", err.Error())
	}
}

// load reads the Store's records of chains not read yet.
func (p *Prober) load(ctx context.Context, targets []Target) {
	var ids []int64
	p.mu.Lock()
	for _, t := range targets {
		if !p.loaded[t.Chain.ID] {
			p.loaded[t.Chain.ID] = true
			ids = append(ids, t.Chain.ID)
		}
	}
	p.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	views, err := p.opts.Store.Load(ctx, ids)
	if err != nil {
		p.opts.Log.Warn("probe records not loaded: starting afresh", "error", err.Error())
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for id, v := range views {
		p.chains[id] = v.Chain
		for inst, s := range v.Providers {
			p.status[targetKey{id, inst}] = s
		}
	}
}

func (p *Prober) record(t Target) Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status[targetKey{t.Chain.ID, t.Provider.InstanceID}]
}

func orUnknown(h Health) Health {
	if h == "" {
		return Unknown
	}
	return h
}
