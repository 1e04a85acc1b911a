// Package e2e tests the router end to end with real parts: two `geth --dev`
// nodes as providers and the router built from ./functions/local, run as a
// separate process in front of them, spoken to over loopback HTTP exactly as
// a client would.
//
// The package has no build tag, so `go test ./...` runs it. It needs a geth
// binary named by LASSO_GETH (`make tools` installs one into bin/, and `make
// test` sets the variable). Without it the tests skip, except when CI=true:
// in CI a missing prerequisite is a failure, never a silent skip.
//
// Only test files live here besides this one; nothing imports the package.
package e2e
