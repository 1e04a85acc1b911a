// Package lambdahttp serves Lambda invocations that carry HTTP requests with
// an ordinary http.Handler, so that a Lambda function and the local server
// answer through the same handler and speak the same wire contract.
//
// It owns the Lambda edge of HTTP and nothing more:
//
//   - telling the three event shapes apart from the raw payload: API Gateway
//     HTTP API (payload format 2.0), API Gateway REST API (and HTTP API
//     payload 1.0), and Application Load Balancer target groups;
//   - refusing a payload that is none of them with an error, which Lambda
//     reports, instead of guessing or panicking;
//   - turning events into requests and responses into the matching response
//     shape, through aws-lambda-go-api-proxy's httpadapter (base64 bodies,
//     multi-value headers and query strings as the proxy does them), plus
//     the two things ALB needs that the proxy leaves out (see alb.go);
//   - ending the request's context a margin before the invocation's
//     deadline, so that every deadline derived from it (the router's
//     upstream timeouts) fires while the function can still answer;
//   - keeping a response within what the caller accepts (6 MB for API
//     Gateway, 1 MB for an ALB) through the caller's Options.Fit, since past
//     it the client would get a bare 502 instead of an answer (limit.go);
//   - running the caller's per-invocation work (Options.Begin: the app's
//     configuration refresh) inside the invocation, joined before it ends.
//
// Routes, status codes, CORS, request ids and JSON-RPC errors belong to the
// handler it is given (shared/httpapi); building that handler belongs to
// shared/app. Its work is synchronous: nothing it starts outlives Invoke.
package lambdahttp
