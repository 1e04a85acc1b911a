// Package samcheck holds tests, no code: they parse template.yaml (the SAM
// template `sam deploy` ships per region) with goformation and check it
// against the Go code, so that a new environment variable, AWS call or
// Lambda function cannot reach main without its line in the template.
package samcheck
