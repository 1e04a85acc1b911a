package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// authorized checks the bearer token that guards the status and metrics
// endpoints, which show provider layout and traffic; without a configured
// token they are open, as Lasso's are. On failure it answers 401 itself.
//
// Both sides are hashed before the constant-time compare so that neither
// the token's content nor its length leaks through timing. The token is
// never logged or echoed.
func (h *Handler) authorized(w http.ResponseWriter, r *http.Request) bool {
	if h.opts.StatusToken == "" {
		return true
	}
	scheme, given, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	// RFC 6750: the scheme name is case-insensitive.
	if ok && strings.EqualFold(scheme, "Bearer") {
		a := sha256.Sum256([]byte(strings.TrimSpace(given)))
		b := sha256.Sum256([]byte(h.opts.StatusToken))
		if subtle.ConstantTimeCompare(a[:], b[:]) == 1 {
			return true
		}
	}
	w.Header().Set("WWW-Authenticate", "Bearer")
	writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "Unauthorized"})
	return false
}
