package profile_test

import (
	"testing"
)

// TestRateLimitFailClosed: rate_limit_fail_closed is a frontmatter boolean,
// false unless a file says true, accepted in legacy files too, and typed
// strictly like every other key.
func TestRateLimitFailClosed(t *testing.T) {
	t.Parallel()
	const legacyBody = "chains:\n  eth:\n    chain_id: 1\n    providers:\n      - id: a\n        url: https://a.example\n"
	tests := []struct {
		name, file, src string
		want            bool
	}{
		{"absent", "dir/t.yml", doc("", "", ""), false},
		{"false", "dir/t.yml", doc("rate_limit_fail_closed: false", "", ""), false},
		{"true", "dir/t.yml", doc("rate_limit_fail_closed: true", "", ""), true},
		{"legacy file", "dir/public.yml", "name: L\nrate_limit_fail_closed: true\n" + legacyBody, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := mustProfile(t, tt.file, tt.src, nolookup).RateLimitFailClosed; got != tt.want {
				t.Errorf("RateLimitFailClosed: got %v, want %v", got, tt.want)
			}
		})
	}

	t.Run("not a boolean", func(t *testing.T) {
		t.Parallel()
		src := doc(`rate_limit_fail_closed: "yes" #<`, "", "")
		_, ps := load(t, "dir/t.yml", src, nolookup)
		wantProblem(t, ps, "dir/t.yml", "rate_limit_fail_closed", lineOf(t, src), "must be true or false")
	})
}
