package httpapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/lasso-serverless/lasso/shared/jsonrpc"
	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/ratelimit"
)

// Client rate limits: each profile's rps_limit and burst_limit, per client
// identity, charged before any call reaches the pipeline.
//
// A request is charged one call per JSON-RPC call it carries that would
// reach the pipeline (notifications included; invalid batch members, which
// are answered here, are free). A batch is all or nothing: it goes through
// whole or is refused whole, never half served, and a batch of more calls
// than burst_limit can never go through. The refusal is HTTP 429 with
// Retry-After and one -32005 error object, whose id is the call's for a
// single call and null for a batch (the whole HTTP request was refused, as
// with a parse error).
//
// When the limiter cannot decide (Redis slow or down), the call goes
// through, unless the profile sets rate_limit_fail_closed: then it is
// refused as if over the limit, with a 1 s Retry-After. Either way the
// client never sees a 5xx because of the limiter.

// clientIdentity names the caller: "key:" and an API key when the request
// carries one (X-Api-Key, then Authorization: Bearer, then the key query
// parameter), else "ip:" and the client's address. When the operator lists
// the valid keys (known is set), a known key names its client and an unknown
// one counts for nothing: otherwise a caller could dodge its limit by
// inventing a new key per request. The result is secret: it only ever leaves
// this package hashed (ratelimit.Key).
func clientIdentity(r *http.Request, trustedProxies int, known func(key string) (string, bool)) string {
	if k := apiKey(r); k != "" {
		if known == nil {
			return "key:" + k
		}
		if name, ok := known(k); ok {
			return "client:" + name
		}
	}
	return "ip:" + clientIP(r, trustedProxies)
}

func apiKey(r *http.Request) string {
	if k := strings.TrimSpace(r.Header.Get("X-Api-Key")); k != "" {
		return k
	}
	if auth := r.Header.Get("Authorization"); len(auth) > len("Bearer ") && strings.EqualFold(auth[:len("Bearer ")], "Bearer ") {
		if k := strings.TrimSpace(auth[len("Bearer "):]); k != "" {
			return k
		}
	}
	if strings.Contains(r.URL.RawQuery, "key=") {
		return strings.TrimSpace(r.URL.Query().Get("key"))
	}
	return ""
}

// clientIP is the address a request came from. With trustedProxies = N > 0
// the router sits behind N proxies that each append the address they saw to
// X-Forwarded-For, so the client is the Nth entry from the right; entries
// further left are whatever the client wrote and are never believed. With
// fewer entries than N the leftmost is used (the request skipped a proxy),
// and with none, or an entry that is not an address, the peer. With N = 0
// X-Forwarded-For is ignored: anyone can write it.
//
// IPv6 clients are grouped by /64, the block one subscriber gets, so that a
// client cannot mint a fresh bucket per address.
func clientIP(r *http.Request, trustedProxies int) string {
	if trustedProxies > 0 {
		hops := forwardedFor(r.Header.Values("X-Forwarded-For"))
		if len(hops) > 0 {
			if a, ok := parseAddr(hops[max(len(hops)-trustedProxies, 0)]); ok {
				return addrKey(a)
			}
		}
	}
	if a, ok := parseAddr(r.RemoteAddr); ok {
		return addrKey(a)
	}
	return r.RemoteAddr
}

// forwardedFor lists X-Forwarded-For entries left to right across all the
// header's lines.
func forwardedFor(lines []string) []string {
	var hops []string
	for _, l := range lines {
		for h := range strings.SplitSeq(l, ",") {
			hops = append(hops, strings.TrimSpace(h))
		}
	}
	return hops
}

// parseAddr reads "1.2.3.4", "1.2.3.4:5", "2001:db8::1" or "[2001:db8::1]:5".
func parseAddr(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a, true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr(), true
	}
	return netip.Addr{}, false
}

func addrKey(a netip.Addr) string {
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}

// limit charges the calls of a request for profile p. It answers and
// returns false when the request must stop here.
func (h *Handler) limit(w http.ResponseWriter, r *http.Request, reqID string, p *profile.Profile, items []jsonrpc.Item, batch bool, start time.Time) bool {
	n := 0
	for _, it := range items {
		if it.Err == nil {
			n++
		}
	}
	if h.opts.Limiter == nil || n == 0 {
		return true
	}
	lim := ratelimit.Limit{Rate: p.RPSLimit, Burst: p.BurstLimit}
	key := ratelimit.Key(p.Slug, clientIdentity(r, h.opts.TrustedProxies, h.opts.ClientKey))
	client := key[len(p.Slug)+1:][:12] // a short hash names the client in logs
	var retryAfter time.Duration       // stays 0 for a batch that can never pass
	if n <= lim.Burst {
		ctx, cancel := context.WithTimeout(r.Context(), h.opts.LimiterTimeout)
		res, err := h.opts.Limiter.AllowN(ctx, key, lim, n)
		cancel()
		switch {
		case err != nil:
			h.opts.Log.LogAttrs(r.Context(), slog.LevelWarn, "client rate limiter failed",
				slog.String("request_id", reqID),
				slog.String("profile", p.Slug),
				slog.String("client", client),
				slog.Bool("fail_closed", p.RateLimitFailClosed),
				slog.Int64("limiter_errors", h.limiterErrors.Add(1)),
				slog.String("error", err.Error()),
			)
			if !p.RateLimitFailClosed {
				return true
			}
			retryAfter = failClosedRetry
		case res.Admitted():
			return true
		default:
			retryAfter = max(res.RetryAfter, time.Millisecond)
		}
	}
	var id json.RawMessage // null for a batch: the whole request is refused
	if !batch {
		id = items[0].Req.ID
	}
	e := rateLimitError(lim, n, retryAfter)
	if retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.FormatInt(int64((retryAfter+time.Second-1)/time.Second), 10))
	}
	writeBody(w, http.StatusTooManyRequests, jsonrpc.NewErrorResponse(id, e).AppendJSON(make([]byte, 0, 192)))
	h.logFailure(r.Context(), reqID, r, http.StatusTooManyRequests, e, &rateLimitedError{client: client, limit: lim, calls: n}, start)
	return false
}

// failClosedRetry is the wait a fail-closed refusal suggests: the limiter
// gave none, and a second is long enough for a blip to pass.
const failClosedRetry = time.Second

// rateLimitError is the wire error of a refusal, in the shape Lasso's API
// reference documents (with -32005, the code of every rate limit here).
func rateLimitError(lim ratelimit.Limit, calls int, retryAfter time.Duration) *jsonrpc.Error {
	msg := "Rate limit exceeded. Limit: " + strconv.Itoa(lim.Rate) + " requests per second."
	data := make([]byte, 0, 64)
	if retryAfter > 0 {
		data = append(data, `{"retry_after_ms":`...)
		data = strconv.AppendInt(data, max(1, int64((retryAfter+time.Millisecond-1)/time.Millisecond)), 10)
		data = append(data, `,"rate_limit":`...)
	} else {
		msg += " A batch of " + strconv.Itoa(calls) + " calls exceeds the burst limit of " + strconv.Itoa(lim.Burst) + "."
		data = append(data, `{"rate_limit":`...)
	}
	data = strconv.AppendInt(data, int64(lim.Rate), 10)
	if retryAfter <= 0 {
		data = append(data, `,"burst_limit":`...)
		data = strconv.AppendInt(data, int64(lim.Burst), 10)
	}
	data = append(data, '}')
	return &jsonrpc.Error{Code: jsonrpc.CodeRateLimited, Message: msg, Data: json.RawMessage(data)}
}

// rateLimitedError is the logged cause of a refusal; it names the client by
// hash only.
type rateLimitedError struct {
	client string
	limit  ratelimit.Limit
	calls  int
}

func (e *rateLimitedError) Error() string {
	return "client rate limit exceeded: client " + e.client + ", " + strconv.Itoa(e.calls) + " call(s) against " + e.limit.String()
}
