package lambdahttp

import (
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// ALB events differ from API Gateway's in three ways the proxy does not
// cover; this file makes up for them.

// unescapeQuery decodes the query. ALB passes the query string's names and
// values as the client encoded them, while the proxy encodes them again when
// it builds the URL: without this, "a%20b" would reach the handler as
// "a%20b" instead of "a b".
func unescapeQuery(ev *events.ALBTargetGroupRequest) {
	if len(ev.QueryStringParameters) > 0 {
		q := make(map[string]string, len(ev.QueryStringParameters))
		for k, v := range ev.QueryStringParameters {
			q[unescape(k)] = unescape(v)
		}
		ev.QueryStringParameters = q
	}
	if len(ev.MultiValueQueryStringParameters) > 0 {
		q := make(map[string][]string, len(ev.MultiValueQueryStringParameters))
		for k, vs := range ev.MultiValueQueryStringParameters {
			for _, v := range vs {
				q[unescape(k)] = append(q[unescape(k)], unescape(v))
			}
		}
		ev.MultiValueQueryStringParameters = q
	}
}

// unescape keeps a malformed escape as it came: the handler sees what the
// client sent rather than nothing.
func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// albPeer gives ALB requests the peer address the proxy leaves empty (API
// Gateway events carry it as sourceIp). The load balancer appends the
// address it accepted the connection from to X-Forwarded-For (its default
// "append" mode), so the last entry is the client as the balancer saw it;
// entries before it are whatever the client wrote. Client rate limits and
// logs key on this address.
func albPeer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.RemoteAddr == "" {
			if a, ok := lastHop(r.Header.Values("X-Forwarded-For")); ok {
				r = r.WithContext(r.Context()) // a copy: handlers do not change their request
				r.RemoteAddr = a.String()
			}
		}
		next.ServeHTTP(w, r)
	})
}

func lastHop(lines []string) (netip.Addr, bool) {
	if len(lines) == 0 {
		return netip.Addr{}, false
	}
	last := lines[len(lines)-1]
	a, err := netip.ParseAddr(strings.TrimSpace(last[strings.LastIndexByte(last, ',')+1:]))
	return a, err == nil
}

// albResponse shapes the response as the target group expects it. A group
// with multi-value headers on sends multiValueHeaders and reads only those
// back; one with them off sends headers and reads only headers, so the
// proxy's always-multi-value response would lose every header there. The
// status description is "200 OK", not "OK".
func albResponse(ev events.ALBTargetGroupRequest, resp *events.ALBTargetGroupResponse) {
	resp.StatusDescription = fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	if ev.MultiValueHeaders != nil {
		return
	}
	resp.Headers = make(map[string]string, len(resp.MultiValueHeaders))
	for k, vs := range resp.MultiValueHeaders {
		resp.Headers[k] = strings.Join(vs, ",")
	}
	resp.MultiValueHeaders = nil
}
