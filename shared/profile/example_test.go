package profile_test

import (
	"fmt"
	"os"

	"github.com/lasso-serverless/lasso/shared/profile"
)

// LoadDir reads every *.yml file of a directory; variables come from the
// lookup function (os.LookupEnv in production).
func ExampleLoadDir() {
	cfg, err := profile.LoadDir("../../profiles", os.LookupEnv)
	if err != nil {
		fmt.Println(err) // every problem of every file, one per line
		return
	}
	p, _ := cfg.Profile("default")
	fmt.Println(p.Slug, p.RPSLimit, p.BurstLimit)
	for _, ch := range p.Chains {
		fmt.Printf("%s %d %s %s (%d providers)\n", ch.Key, ch.ID, ch.IDHex, ch.Providers[0].ID, len(ch.Providers))
	}
	arb, _ := p.Chain("arb")
	fmt.Println(arb.Name)
	// Output:
	// public 100 500
	// ethereum 1 "0x1" publicnode (4 providers)
	// base 8453 "0x2105" base (3 providers)
	// arbitrum 42161 "0xa4b1" arbitrum (3 providers)
	// optimism 10 "0xa" optimism (3 providers)
	// polygon 137 "0x89" polygon (3 providers)
	// Arbitrum One
}

func ExampleRedactURL() {
	fmt.Println(profile.RedactURL("https://eth-mainnet.g.alchemy.com/v2/my-key"))
	fmt.Println(profile.RedactURL("https://eth.llamarpc.com"))
	// Output:
	// https://eth-mainnet.g.alchemy.com/<redacted>
	// https://eth.llamarpc.com
}
