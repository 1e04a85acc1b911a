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
	$(GO) run -ldflags "-X github.com/lasso-serverless/lasso/shared/app.Version=$(VERSION)" ./functions/local

.PHONY: check
check: ## validate the profiles (every problem, with file and YAML path)
	$(GO) run ./functions/local -check

.PHONY: test
test: lint depcheck tools ## lint, check imports, run every test with the race detector
	LASSO_GETH=$(BIN)/geth LASSO_RIE=$(BIN)/aws-lambda-rie LASSO_CFN_SPEC=$(BIN)/cfnspec/node_modules/@aws-cdk/aws-service-spec/db.json.gz $(GO) test -race -count=1 $(PKGS)

.PHONY: tools
tools: ## install test tools into bin/ (geth, the Lambda emulator, the CloudFormation spec), redis-server from apt when missing
	GO=$(GO) ./infra/tools.sh geth redis rie cfnspec

.PHONY: lint
lint: ## gofmt and go vet
	@out=$$(find . -name '*.go' -not -path './bin/*' -not -path './.git/*' -print0 | xargs -0 gofmt -l); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

.PHONY: depcheck
depcheck: ## enforce the import direction functions -> app -> adapters -> core
	$(GO) run ./infra/depcheck

# Lambda functions: every functions/<name> with a main.go but local, built
# for provided.al2023 on arm64 as a stripped, static `bootstrap`.
# VERSION is stamped into every binary (GET /api/health reports it); a
# release sets it, otherwise git names the commit. LAMBDA_ARCH is the
# template's Architectures; tests build for the host with LAMBDA_ARCH=amd64.
FUNCTIONS    := $(filter-out local,$(notdir $(patsubst %/main.go,%,$(wildcard functions/*/main.go))))
VERSION      ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS      := -s -w -X github.com/lasso-serverless/lasso/shared/app.Version=$(VERSION)
LAMBDA_ARCH  ?= arm64
LAMBDA_BUILD := CGO_ENABLED=0 GOOS=linux GOARCH=$(LAMBDA_ARCH) $(GO) build -tags lambda.norpc -trimpath -ldflags "$(LDFLAGS)"

.PHONY: build
build: ## build the local server into bin/ and each Lambda function into bin/<function>/bootstrap (linux/arm64)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN)/lasso ./functions/local
	@set -e; for f in $(FUNCTIONS); do \
	  echo '$(LAMBDA_BUILD)' -o $(BIN)/$$f/bootstrap ./functions/$$f; \
	  $(LAMBDA_BUILD) -o $(BIN)/$$f/bootstrap ./functions/$$f; \
	done

# SAM's makefile builder (Metadata: BuildMethod: makefile) runs
# `make build-<LogicalId>` with ARTIFACTS_DIR set; each such target names its
# function's folder. The shipped profiles go beside the bootstrap, where
# LASSO_PROFILES_DIR's default (./profiles) finds them.
build-RpcHttpFunction: FUNCTION := rpc-http
build-ProbeFunction: FUNCTION := probe
.PHONY: build-RpcHttpFunction build-ProbeFunction
build-RpcHttpFunction build-ProbeFunction:
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set (sam build sets it)" >&2; exit 2; }
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/$(FUNCTION)
	mkdir -p $(ARTIFACTS_DIR)/profiles
	cp profiles/*.yml $(ARTIFACTS_DIR)/profiles/

.PHONY: bench
bench: ## run the benchmarks
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

# SAM: template.yaml, one stack per region (samconfig.toml holds a config
# env per region). infra/samcheck checks the template against the code.
REGIONS := us-east-1 eu-west-1 ap-southeast-1

.PHONY: sam-build
sam-build: ## SAM: sam build (runs build-<Function> for each function)
	VERSION=$(VERSION) sam build # SAM builds in a copy without .git: pass the version in

.PHONY: deploy
deploy: sam-build ## SAM: deploy one region, make deploy REGION=eu-west-1
	@test -n "$(REGION)" || { echo "usage: make deploy REGION=<region> (one of $(REGIONS))" >&2; exit 2; }
	sam deploy --config-env $(REGION)

.PHONY: deploy-all
deploy-all: sam-build ## SAM: deploy every region in REGIONS
	@set -e; for r in $(REGIONS); do echo "== $$r"; sam deploy --config-env $$r; done

.PHONY: validate
validate: ## SAM: sam validate --lint when sam is installed, and the Go template check
	@if command -v sam >/dev/null 2>&1; then sam validate --lint; \
	  else echo "validate: sam is not on PATH, sam validate skipped"; fi
	$(GO) test -count=1 ./infra/samcheck/
