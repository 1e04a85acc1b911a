package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/lasso-serverless/lasso/shared/app"
)

// Margins of an invocation: no round starts in the last stopEarly, and
// every probe ends a margin before the deadline so the function returns
// instead of being stopped.
const (
	stopEarly = 6 * time.Second
	margin    = time.Second
)

func main() {
	h, err := newHandler(os.Getenv, app.Options{})
	if err != nil {
		// Exiting fails the init phase; Lambda logs the reason and reports it.
		fmt.Fprintln(os.Stderr, "probe:", err)
		os.Exit(1)
	}
	lambda.Start(h)
}

// handler runs probe rounds for one invocation.
type handler func(ctx context.Context, event json.RawMessage) error

// newHandler is the cold start, done once per container: the app (and with
// it the prober's records) lives on across warm invocations.
func newHandler(getenv func(string) string, opts app.Options) (handler, error) {
	cfg, err := app.ConfigFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	a, err := app.New(cfg, opts)
	if err != nil {
		return nil, err
	}
	if cfg.RedisURL == "" {
		a.Logger().Warn("REDIS_URL is not set: probe records stay in this container, where no rpc-http function reads them")
	}
	return func(ctx context.Context, event json.RawMessage) error {
		deadline, ok := ctx.Deadline()
		if !ok {
			deadline = time.Now().Add(time.Minute) // not under Lambda
		}
		ctx, cancel := context.WithDeadline(ctx, deadline.Add(-margin))
		defer cancel()
		end := a.BeginInvocation(ctx)
		defer end()
		var ev struct {
			DetailType string `json:"detail-type"`
		}
		_ = json.Unmarshal(event, &ev) // any event starts a run; the schedule's names itself
		a.Logger().Info("probe run", "event", ev.DetailType, "until", deadline.Add(-stopEarly).UTC().Format(time.RFC3339))
		a.RunProbes(ctx, deadline.Add(-stopEarly))
		return nil
	}, nil
}
