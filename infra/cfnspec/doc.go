// Package cfnspec checks template.yaml against the CloudFormation resource
// specification, the machine-readable list of every resource type, its
// properties, their types and its Fn::GetAtt attributes. infra/samcheck
// checks the template against our Go code; this package checks it against
// AWS, so that a misspelt property, a wrong literal, a dangling Ref or a
// list where CloudFormation wants a string fails `make test` instead of a
// deploy that has already started rolling back.
//
// The spec is the db.json.gz of the npm package @aws-cdk/aws-service-spec
// (infra/tools.sh installs the pinned version; tests find it through
// LASSO_CFN_SPEC). It covers the SAM types too, though its SAM part lags
// SAM itself: sam.go lists the few known gaps.
//
// Check walks the YAML node tree rather than a decoded struct so that every
// Problem can name its line and a path such as
// Resources.RedisCache.Properties.Engine.
package cfnspec
