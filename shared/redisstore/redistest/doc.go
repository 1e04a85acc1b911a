// Package redistest starts throwaway redis-server processes for tests: a
// standalone server, or a three-master cluster, each on free loopback
// ports, stopped by PID when the test ends.
//
// The server binary is LASSO_REDIS_SERVER or redis-server on PATH (make
// tools installs Debian's package). Without one a test skips, except with
// CI=true, where a missing prerequisite is a failure.
package redistest
