package httpapi

import (
	"net/http"
	"strings"
	"testing"
)

func TestStatusToken(t *testing.T) {
	const token = "status-token-Zq8xK2"
	guarded := []string{"/api/status", "/api/status/public", "/api/status/nope", "/api/metrics/eth", "/api/metrics/nochain"}
	open := []string{"/api/health", "/api/ready", "/api/chains"}
	tests := []struct {
		name       string
		configured string // Options.StatusToken
		auth       string // Authorization header; "" sends none
		allowed    bool
	}{
		{"no token configured, none sent", "", "", true},
		{"no token configured, one sent anyway", "", "Bearer whatever", true},
		{"token required, none sent", token, "", false},
		{"right token", token, "Bearer " + token, true},
		{"scheme is case-insensitive", token, "bearer " + token, true},
		{"wrong token", token, "Bearer not-the-token", false},
		{"token with a suffix", token, "Bearer " + token + "x", false},
		{"token prefix only", token, "Bearer " + token[:5], false},
		{"empty bearer", token, "Bearer ", false},
		{"token without scheme", token, token, false},
		{"other scheme", token, "Basic " + token, false},
	}
	for _, tt := range tests {
		r := newRig(t, func(o *Options) { o.StatusToken = tt.configured })
		var hdr []string
		if tt.auth != "" {
			hdr = []string{"Authorization", tt.auth}
		}
		for _, target := range guarded {
			w := r.do(http.MethodGet, target, "", hdr...)
			if !tt.allowed {
				if w.Code != http.StatusUnauthorized || w.Body.String() != `{"error":"Unauthorized"}` ||
					w.Header().Get("WWW-Authenticate") != "Bearer" {
					t.Errorf("%s: GET %s: got %d %s (WWW-Authenticate %q), want 401 {\"error\":\"Unauthorized\"} Bearer",
						tt.name, target, w.Code, w.Body, w.Header().Get("WWW-Authenticate"))
				}
				continue
			}
			// Past the token, the route answers as it would without one
			// (the unknown profile and chain get their own errors).
			if w.Code == http.StatusUnauthorized || w.Header().Get("WWW-Authenticate") != "" {
				t.Errorf("%s: GET %s: got %d, want it let through", tt.name, target, w.Code)
			}
		}
		for _, target := range open {
			if w := r.do(http.MethodGet, target, "", hdr...); w.Code != http.StatusOK {
				t.Errorf("%s: GET %s: got %d, want 200 (open endpoint)", tt.name, target, w.Code)
			}
		}
		if strings.Contains(r.logs.String(), token) {
			t.Errorf("%s: the token reached the log", tt.name)
		}
	}
}

// The token is checked before the route's own lookups, so a caller without
// it learns nothing of which profiles and chains exist.
func TestStatusTokenBeforeLookup(t *testing.T) {
	r := newRig(t, func(o *Options) { o.StatusToken = "t0ken-t0ken" })
	for _, target := range []string{"/api/status/public", "/api/status/nope", "/api/metrics/eth", "/api/metrics/nochain"} {
		w := r.do(http.MethodGet, target, "")
		if w.Code != http.StatusUnauthorized || strings.Contains(w.Body.String(), "t0ken") {
			t.Errorf("GET %s: got %d %s, want 401 without the token", target, w.Code, w.Body)
		}
	}
	if w := r.do(http.MethodGet, "/api/status/nope", "", "Authorization", "Bearer t0ken-t0ken"); w.Code != http.StatusNotFound {
		t.Errorf("authorized unknown profile: got %d, want 404", w.Code)
	}
	if w := r.do(http.MethodGet, "/api/metrics/nochain", "", "Authorization", "Bearer t0ken-t0ken"); w.Code != http.StatusBadRequest {
		t.Errorf("authorized unknown chain: got %d, want 400", w.Code)
	}
}
