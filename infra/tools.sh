#!/usr/bin/env bash
# Installs the tools the tests need into <repo>/bin/, which is git-ignored and
# acts as the cache: a tool is (re)built only when its binary is missing or
# reports another version, so a warm run costs a version check (~1 s).
#
#   infra/tools.sh          install every tool
#   infra/tools.sh geth     install only geth (also: redis, rie, cfnspec)
#
# Idempotent; prints what it does. Needs Go and the module proxy, npm and
# the npm registry (cfnspec), and apt-get for what Debian packages.
set -euo pipefail

GETH_VERSION=1.17.10
# The Lambda Runtime Interface Emulator has no releases on the module proxy,
# only pseudo-versions of its main branch.
RIE_VERSION=v0.0.0-20261030222936-bef5c4ba774d
# The CloudFormation resource specification infra/cfnspec checks
# template.yaml against: the AWS CDK's aggregated spec, which also covers
# the SAM resource types. Pinned so that a spec update is a reviewed change.
CFNSPEC_VERSION=0.1.216

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$repo/bin"
export PATH="$PATH:/usr/local/go/bin"
GO="${GO:-go}"

log() { printf 'tools: %s\n' "$*"; }

# geth: a real Ethereum node; the e2e tests run two `geth --dev` nodes as
# the router's providers.
install_geth() {
  local want="$GETH_VERSION" have=""
  if [[ -x "$bin/geth" ]]; then
    # `geth version` prints "Version: 1.17.10-stable"; keep the number only.
    have="$("$bin/geth" version 2>/dev/null | sed -n 's/^Version: *\([0-9][0-9.]*\).*/\1/p' | head -n1 || true)"
  fi
  if [[ "$have" == "$want" ]]; then
    log "geth $want already in $bin/geth"
    return
  fi
  if [[ -n "$have" ]]; then
    log "geth in $bin reports ${have}, want $want: reinstalling"
  elif [[ -e "$bin/geth" ]]; then
    log "geth in $bin does not report a version: reinstalling"
  else
    log "geth missing from $bin: installing $want (compiles geth; takes minutes the first time)"
  fi
  local start=$SECONDS
  # Built outside the repo's module (the @version form ignores go.mod), so it
  # adds nothing to go.mod/go.sum.
  (cd "$repo" && GOBIN="$bin" "$GO" install "github.com/ethereum/go-ethereum/cmd/geth@v$want")
  log "installed $("$bin/geth" version | sed -n 's/^Version: *//p' | head -n1) in $bin/geth ($((SECONDS - start)) s)"
}

# aws-lambda-rie: the Lambda Runtime Interface Emulator; the functions'
# tests run their real bootstrap binaries under it. It has no version flag
# (any argument starts it), so the version is read from the binary's build
# information.
install_rie() {
  local want="$RIE_VERSION" have=""
  if [[ -x "$bin/aws-lambda-rie" ]]; then
    have="$("$GO" version -m "$bin/aws-lambda-rie" 2>/dev/null | awk '$1 == "mod" { print $3; exit }' || true)"
  fi
  if [[ "$have" == "$want" ]]; then
    log "aws-lambda-rie $want already in $bin/aws-lambda-rie"
    return
  fi
  if [[ -n "$have" ]]; then
    log "aws-lambda-rie in $bin reports ${have}, want $want: reinstalling"
  elif [[ -e "$bin/aws-lambda-rie" ]]; then
    log "aws-lambda-rie in $bin has no version: reinstalling"
  else
    log "aws-lambda-rie missing from $bin: installing $want"
  fi
  local start=$SECONDS
  (cd "$repo" && GOBIN="$bin" "$GO" install "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$want")
  log "installed aws-lambda-rie $want in $bin/aws-lambda-rie ($((SECONDS - start)) s)"
}

# redis-server and redis-cli: Debian's package, for the shared-state tests
# (a standalone server and a three-master cluster, started per test).
install_redis() {
  if command -v redis-server >/dev/null && command -v redis-cli >/dev/null; then
    log "redis-server $(redis-server --version | sed -n 's/.*v=\([0-9.]*\).*/\1/p') already installed"
    return
  fi
  if ! command -v apt-get >/dev/null; then
    echo "tools: redis-server is missing and there is no apt-get: install Redis 7 by hand" >&2
    exit 1
  fi
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  log "redis-server missing: installing Debian's redis-server package"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >/dev/null
  log "installed $(redis-server --version | sed -n 's/.*v=\([0-9.]*\).*/\1/p')"
}

# cfnspec: @aws-cdk/aws-service-spec, whose db.json.gz is the spec
# infra/cfnspec reads (LASSO_CFN_SPEC). Installed under bin/cfnspec with its
# own prefix, so no package.json or lock file lands in the repo.
install_cfnspec() {
  local want="$CFNSPEC_VERSION" have="" dir="$bin/cfnspec"
  local pkg="$dir/node_modules/@aws-cdk/aws-service-spec"
  if [[ -f "$pkg/package.json" && -f "$pkg/db.json.gz" ]]; then
    have="$(sed -n 's/^  "version": *"\([^"]*\)".*/\1/p' "$pkg/package.json" | head -n1)"
  fi
  if [[ "$have" == "$want" ]]; then
    log "@aws-cdk/aws-service-spec $want already in $pkg"
    return
  fi
  if [[ -n "$have" ]]; then
    log "@aws-cdk/aws-service-spec in $dir reports ${have}, want $want: reinstalling"
  else
    log "@aws-cdk/aws-service-spec missing from $dir: installing $want"
  fi
  if ! command -v npm >/dev/null; then
    if ! command -v apt-get >/dev/null; then
      echo "tools: npm is missing and there is no apt-get: install Node.js and npm by hand" >&2
      exit 1
    fi
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    log "npm missing: installing Debian's npm package"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq npm >/dev/null
  fi
  local start=$SECONDS
  mkdir -p "$dir"
  # --prefix keeps npm inside bin/cfnspec; --no-save writes no package.json.
  npm install --prefix "$dir" --no-audit --no-fund --no-save --loglevel=error \
    "@aws-cdk/aws-service-spec@$want" >/dev/null
  have="$(sed -n 's/^  "version": *"\([^"]*\)".*/\1/p' "$pkg/package.json" | head -n1)"
  if [[ "$have" != "$want" || ! -f "$pkg/db.json.gz" ]]; then
    echo "tools: npm installed @aws-cdk/aws-service-spec ${have:-(none)} into $dir, want $want with db.json.gz" >&2
    exit 1
  fi
  log "installed @aws-cdk/aws-service-spec $have in $pkg ($((SECONDS - start)) s)"
}

main() {
  mkdir -p "$bin"
  # One install at a time: concurrent `make test` runs would otherwise each
  # compile geth. A waiting run finds the tool installed and returns.
  if command -v flock >/dev/null; then
    exec 9>"$bin/.tools.lock"
    if ! flock -n 9; then
      log "another install is running; waiting for it"
      flock 9
    fi
  fi
  local tools=("$@")
  if [[ ${#tools[@]} -eq 0 ]]; then
    tools=(geth redis rie cfnspec)
  fi
  local t
  for t in "${tools[@]}"; do
    case "$t" in
      geth) install_geth ;;
      redis) install_redis ;;
      rie) install_rie ;;
      cfnspec) install_cfnspec ;;
      *) echo "tools: unknown tool '$t' (known: geth, redis, rie, cfnspec)" >&2; exit 2 ;;
    esac
  done
}

main "$@"
