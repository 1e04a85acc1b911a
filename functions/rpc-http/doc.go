// Command rpc-http is the router's HTTP endpoint on AWS Lambda, behind API
// Gateway (HTTP API payload 2.0, or REST) or an Application Load Balancer.
//
// It is a composition root and nothing else: the cold start reads the
// environment (app.ConfigFromEnv, the same variables as the local server)
// and builds the router once with app.New; every invocation then goes
// through shared/lambdahttp to the same http.Handler the local server
// serves. Profiles are read from LASSO_PROFILES_DIR, ./profiles by default:
// the deployment bundles them beside the bootstrap, in the function's
// working directory (/var/task).
//
// Build it for provided.al2023 on arm64 with `make build`
// (bin/rpc-http/bootstrap) or through SAM (`make build-RpcHttpFunction`).
package main
