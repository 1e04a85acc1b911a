package awsconfig_test

import (
	"context"
	"fmt"

	"github.com/lasso-serverless/lasso/shared/awsconfig"
)

// A Lambda function loads its configuration once at cold start, and each
// invocation starts a refresh beside its request when the TTL has passed,
// finishing it before the invocation returns.
func ExampleSource_MaybeRefresh() {
	ctx := context.Background()
	src, err := awsconfig.NewSource(ctx, awsconfig.SourceOptions{
		ProfilesDir: "testdata/keyless", // in AWS: SSMPath "/lasso/profiles", SecretsID "lasso/providers"
	})
	if err != nil {
		fmt.Println(err) // every problem of every profile: do not start
		return
	}
	invoke := func(ctx context.Context) {
		defer src.MaybeRefresh(ctx)() // joined before the invocation ends
		cfg := src.Current()          // read once per request
		p, _ := cfg.Profile("public")
		fmt.Println(p.Slug, p.RPSLimit)
	}
	invoke(ctx)
	// Output: public 100
}
