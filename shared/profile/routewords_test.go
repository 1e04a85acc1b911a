package profile_test

import (
	"strings"
	"testing"
)

// Names a route could never reach, and files that say less than they seem
// to, are problems rather than surprises at run time.
func TestUnreachableNamesAndHiddenContent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		env  map[string]string
		path string
		msg  string
	}{
		{"alias with capitals", doc("", "url_aliases: [Eth] #<", ""), nil, "chains.eth.url_aliases[0]", "lower-case"},
		{"alias with a slash", doc("", "url_aliases: [a/b] #<", ""), nil, "chains.eth.url_aliases[0]", "lower-case"},
		{"alias is a route keyword", doc("", "url_aliases: [fastest] #<", ""), nil, "chains.eth.url_aliases[0]", "route keyword"},
		{"chain key is a route keyword", strings.Replace(doc("", "", ""), "  eth:", "  provider: #<", 1), nil, "chains.provider", "route keyword"},
		{"second YAML document", doc("", "", "") + "---\nchains: {} #<\n", nil, "", "second YAML document"},
		{"endpoint empty after substitution", strings.Replace(doc("", "", ""), "url: https://a.example", "url: ${EMPTY}", 1),
			map[string]string{"EMPTY": ""}, "chains.eth.providers[0]", "needs url, ws_url or both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, ps := load(t, "dir/t.yml", tt.src, envLookup(tt.env))
			at := find(ps, tt.path)
			if len(at) != 1 || !strings.Contains(at[0].Msg, tt.msg) {
				t.Errorf("problems at %q: got %v, want one containing %q (all: %v)", tt.path, at, tt.msg, ps)
			}
		})
	}
}
