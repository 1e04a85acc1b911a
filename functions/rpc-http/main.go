package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/lasso-serverless/lasso/shared/app"
	"github.com/lasso-serverless/lasso/shared/lambdahttp"
)

func main() {
	h, err := newHandler(os.Getenv, app.Options{})
	if err != nil {
		// Exiting fails the init phase; Lambda logs the reason and reports it.
		fmt.Fprintln(os.Stderr, "rpc-http:", err)
		os.Exit(1)
	}
	lambda.Start(h)
}

// newHandler is the cold start, done once per container: the environment
// read and the router built; warm invocations reuse what it returns.
func newHandler(getenv func(string) string, opts app.Options) (*lambdahttp.Handler, error) {
	cfg, err := app.ConfigFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	a, err := app.New(cfg, opts)
	if err != nil {
		return nil, err
	}
	return lambdahttp.New(a.Handler(), lambdahttp.Options{Begin: a.BeginInvocation, Fit: a.FitResponse}), nil
}
