# Lasso Serverless. `make` lists the targets; `make run` and `make test` are
# the two a new user needs. The same targets run locally and in CI.

SHELL := /bin/bash
GO    ?= go
BIN   := $(CURDIR)/bin
PKGS  := ./...

export PATH := $(PATH):/usr/local/go/bin

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

.PHONY: run
run: ## run the router locally on 127.0.0.1:4000 (HOST, PORT, LASSO_PROFILES_DIR, LOG_LEVEL)
	$(GO) run ./functions/local

.PHONY: check
check: ## validate the profiles (every problem, with file and YAML path)
	$(GO) run ./functions/local -check

.PHONY: test
test: lint depcheck tools ## lint, check imports, run every test with the race detector
	LASSO_GETH=$(BIN)/geth $(GO) test -race -count=1 $(PKGS)

.PHONY: tools
tools: ## install test tools: geth into bin/, redis-server from apt when missing
	GO=$(GO) ./infra/tools.sh geth redis

.PHONY: lint
lint: ## gofmt and go vet
	@out=$$(find . -name '*.go' -not -path './bin/*' -not -path './.git/*' -print0 | xargs -0 gofmt -l); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

.PHONY: depcheck
depcheck: ## enforce the import direction functions -> app -> adapters -> core
	$(GO) run ./infra/depcheck

.PHONY: build
build: ## build the local server into bin/
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o $(BIN)/lasso ./functions/local

.PHONY: bench
bench: ## run the benchmarks
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)
