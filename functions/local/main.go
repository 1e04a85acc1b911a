package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/lasso-serverless/lasso/shared/app"
)

func main() {
	check := flag.Bool("check", false, "validate the profiles and exit")
	flag.Parse()
	cfg, err := app.ConfigFromEnv(os.Getenv)
	if err != nil {
		fail(err)
	}
	if *check {
		if !app.Check(cfg, os.LookupEnv, os.Stdout) {
			os.Exit(1)
		}
		return
	}
	a, err := app.New(cfg, app.Options{})
	if err != nil {
		fail(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := a.ListenAndServe(ctx); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "lasso:", err)
	os.Exit(1)
}
