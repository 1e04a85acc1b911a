// Command depcheck enforces the import direction of the design:
// functions -> shared/app -> adapters -> core. Core packages import only the
// standard library (never net/http), other core packages and a short list of
// small pure libraries; an adapter imports core but no other adapter; only
// app wires adapters together; functions import app. `make depcheck` runs it
// over `go list` and exits 1 listing every import that breaks a rule.
package main
