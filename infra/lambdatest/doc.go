// Package lambdatest runs a function's real bootstrap under the AWS Lambda
// Runtime Interface Emulator, for the tests of functions/*: it finds the
// emulator (LASSO_RIE), builds the bootstrap with the Makefile target `sam
// build` runs but for the machine the test runs on, starts the emulator on
// fresh loopback ports in a process group of its own, posts events to it
// and reads its output (the function's logs and the runtime's INIT REPORT
// and REPORT lines).
//
// It knows nothing of what a function does: decoding a function's answer
// is left to that function's tests. Like every test helper it stops
// exactly the processes it started, when the test ends.
package lambdatest
