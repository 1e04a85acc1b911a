package httpapi

import (
	"net/http/httptest"
	"testing"
)

// With the operator's list of keys, a known key names its client and an
// invented one is ignored (the caller is limited by address): a fresh key
// per request must not buy a fresh bucket.
func TestClientIdentityWithKnownKeys(t *testing.T) {
	known := func(k string) (string, bool) {
		if k == "good-key-123" {
			return "acme", true
		}
		return "", false
	}
	tests := []struct {
		name, key string
		known     func(string) (string, bool)
		want      string
	}{
		{"known key", "good-key-123", known, "client:acme"},
		{"invented key", "made-up-999", known, "ip:192.0.2.7"},
		{"no list: any key", "made-up-999", nil, "key:made-up-999"},
		{"no key", "", known, "ip:192.0.2.7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/rpc/eth", nil)
			req.RemoteAddr = "192.0.2.7:4444"
			if tt.key != "" {
				req.Header.Set("X-Api-Key", tt.key)
			}
			if got := clientIdentity(req, 0, tt.known); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
