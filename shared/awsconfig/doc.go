// Package awsconfig loads the router's configuration from AWS: profile files
// from an SSM Parameter Store path (one parameter per profile, SecureString
// allowed), the values of their ${VAR} references from a Secrets Manager
// secret holding a JSON object, and the client API keys that name callers for
// rate limits from another such secret. Bundled profile files (a directory)
// stand in for SSM when no path is configured.
//
// Source holds the loaded configuration for a process: it loads once at cold
// start (an error if that fails: the router never starts broken), serves
// Current without locks, and reloads after a TTL, keeping the last good
// configuration when a reload fails. How a reload fits the Lambda rule that
// no goroutine outlives its invocation is explained on MaybeRefresh.
//
// It owns the AWS calls and the JSON of the secrets. Parsing and validating
// profiles is the profile package's; reading the process environment and
// wiring the scrubber and the request path are the app's.
package awsconfig
