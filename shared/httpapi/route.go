package httpapi

import (
	"slices"
	"strings"

	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/routing"
)

// route is what an RPC path says: profile, strategy, chain and provider.
type route struct {
	profile  string
	strategy string
	chain    string
	provider string
}

// parseRoute reads the segments after /rpc (or /ws/rpc), in Lasso's route
// order: strategy routes first, then provider/<id>/<chain>, then
// <chain>/<id>, then <chain>; the same again under profile/<slug>/.
func parseRoute(segs []string, defaultStrategy string) (route, bool) {
	r := route{profile: profile.DefaultProfile, strategy: defaultStrategy}
	if len(segs) >= 3 && segs[0] == "profile" {
		r.profile = segs[1]
		segs = segs[2:]
	}
	// An empty chain or provider segment (/rpc/eth//x) names nothing: refuse
	// it rather than guess. An empty profile gets its own error (400).
	if slices.Contains(segs, "") {
		return route{}, false
	}
	switch {
	case len(segs) == 1:
		r.chain = segs[0]
	case len(segs) == 2 && routing.IsPathToken(segs[0]):
		r.strategy, _ = routing.ParseToken(segs[0])
		r.chain = segs[1]
	case len(segs) == 2:
		r.chain, r.provider = segs[0], segs[1]
	case len(segs) == 3 && segs[0] == "provider":
		r.provider, r.chain = segs[1], segs[2]
	default:
		return route{}, false
	}
	return r, true
}

// splitPath splits "/rpc/a/b" after the prefix into segments, keeping empty
// ones so that "/rpc/profile//eth" is seen as an empty profile.
func splitPath(path, prefix string) ([]string, bool) {
	rest, ok := strings.CutPrefix(path, prefix)
	if !ok || rest == "" {
		return nil, false
	}
	return strings.Split(strings.TrimSuffix(rest, "/"), "/"), true
}

// oneSegment says whether path is prefix and one non-empty segment, as
// /api/status/<profile> and /api/metrics/<chain> are.
func oneSegment(path, prefix string) bool {
	rest := strings.TrimPrefix(path, prefix)
	return rest != "" && !strings.Contains(rest, "/")
}
