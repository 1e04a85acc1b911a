package httpapi

import (
	"slices"
	"testing"

	"github.com/lasso-serverless/lasso/shared/routing"
)

func TestParseRoute(t *testing.T) {
	const def = "default-strategy" // must pass through untouched when the route names none
	tests := []struct {
		path string
		want route
		ok   bool
	}{
		{"/rpc/ethereum", route{"public", def, "ethereum", ""}, true},
		{"/rpc/eth", route{"public", def, "eth", ""}, true},
		{"/rpc/8453", route{"public", def, "8453", ""}, true},
		{"/rpc/fastest/ethereum", route{"public", routing.Fastest, "ethereum", ""}, true},
		{"/rpc/load-balanced/ethereum", route{"public", routing.LoadBalanced, "ethereum", ""}, true},
		{"/rpc/round-robin/ethereum", route{"public", routing.LoadBalanced, "ethereum", ""}, true},
		{"/rpc/latency-weighted/ethereum", route{"public", routing.LatencyWeighted, "ethereum", ""}, true},
		{"/rpc/provider/a/ethereum", route{"public", def, "ethereum", "a"}, true},
		{"/rpc/ethereum/a", route{"public", def, "ethereum", "a"}, true},
		{"/rpc/profile/team/ethereum", route{"team", def, "ethereum", ""}, true},
		{"/rpc/profile/team/fastest/ethereum", route{"team", routing.Fastest, "ethereum", ""}, true},
		{"/rpc/profile/team/load-balanced/base", route{"team", routing.LoadBalanced, "base", ""}, true},
		{"/rpc/profile/team/round-robin/base", route{"team", routing.LoadBalanced, "base", ""}, true},
		{"/rpc/profile/team/latency-weighted/base", route{"team", routing.LatencyWeighted, "base", ""}, true},
		{"/rpc/profile/team/provider/t1/ethereum", route{"team", def, "ethereum", "t1"}, true},
		{"/rpc/profile/team/ethereum/t1", route{"team", def, "ethereum", "t1"}, true},

		// Lasso's catch-all <chain>/<provider> takes what is not a strategy route.
		{"/rpc/ethereum/fastest", route{"public", def, "ethereum", "fastest"}, true},
		{"/rpc/priority/ethereum", route{"public", def, "priority", "ethereum"}, true},
		{"/rpc/load_balanced/ethereum", route{"public", def, "load_balanced", "ethereum"}, true},
		{"/rpc/round_robin/ethereum", route{"public", def, "round_robin", "ethereum"}, true},
		{"/rpc/profile/team/priority/ethereum", route{"team", def, "priority", "ethereum"}, true},
		// Two segments starting with "profile" are a chain and a provider.
		{"/rpc/profile/team", route{"public", def, "profile", "team"}, true},

		// Trailing slash is ignored.
		{"/rpc/ethereum/", route{"public", def, "ethereum", ""}, true},
		{"/rpc/fastest/ethereum/", route{"public", routing.Fastest, "ethereum", ""}, true},
		{"/rpc/profile/team/provider/t1/ethereum/", route{"team", def, "ethereum", "t1"}, true},

		// Empty profile segment is kept (resolve refuses it).
		{"/rpc/profile//ethereum", route{"", def, "ethereum", ""}, true},
		{"/rpc/profile//fastest/ethereum", route{"", routing.Fastest, "ethereum", ""}, true},

		// Too many segments, or a three-segment form that is no route.
		{"/rpc/a/b/c", route{}, false},
		{"/rpc/fastest/ethereum/a", route{}, false},
		{"/rpc/provider/a/ethereum/x", route{}, false},
		{"/rpc/profile/team/provider/t1/ethereum/x", route{}, false},
		{"/rpc/profile/team/a/b/c/d", route{}, false},
		{"/rpc/", route{}, false},
	}
	for _, tt := range tests {
		segs, _ := splitPath(tt.path, "/rpc/")
		got, ok := parseRoute(segs, def)
		if ok != tt.ok || got != tt.want {
			t.Errorf("parseRoute(%q): got %+v %v, want %+v %v", tt.path, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSplitPath(t *testing.T) {
	tests := []struct {
		path string
		want []string
		ok   bool
	}{
		{"/rpc/eth", []string{"eth"}, true},
		{"/rpc/eth/", []string{"eth"}, true},
		{"/rpc/profile//eth", []string{"profile", "", "eth"}, true},
		{"/rpc/", nil, false},
		{"/api/health", nil, false},
	}
	for _, tt := range tests {
		got, ok := splitPath(tt.path, "/rpc/")
		if ok != tt.ok || !slices.Equal(got, tt.want) {
			t.Errorf("splitPath(%q): got %q %v, want %q %v", tt.path, got, ok, tt.want, tt.ok)
		}
	}
}
