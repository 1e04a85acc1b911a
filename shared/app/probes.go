package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/lasso-serverless/lasso/shared/awsconfig"
	"github.com/lasso-serverless/lasso/shared/probe"
	"github.com/lasso-serverless/lasso/shared/proxy"
)

// newProber builds the health prober over the router's forwarder (so its
// eth_blockNumber is a breaker trial) and the providers' transport, probing
// whatever the current configuration lists.
func newProber(log *slog.Logger, clock func() time.Time, forwarder proxy.Handler, transport proxy.Transport,
	store probe.Store, src *awsconfig.Source) *probe.Prober {
	return probe.New(probe.Options{
		Pipeline:  forwarder,
		Transport: transport,
		Store:     store,
		Targets:   func() []probe.Target { return probe.Targets(src.Current()) },
		Now:       clock,
		Log:       log,
	})
}

// RunProbes probes every provider at its chain's interval until ctx ends
// or, when until is not zero, until no probe is due before until (a
// Lambda invocation's end). Heads and health go to the shared store when
// there is Redis, where routing and the status API read them.
func (a *App) RunProbes(ctx context.Context, until time.Time) {
	a.prober.Run(ctx, until)
}
