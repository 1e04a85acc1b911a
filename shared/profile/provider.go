package profile

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// providerIDPattern keeps ids usable as a URL path segment and a header value.
var providerIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

func (c *compiler) provider(p *Profile, ch *Chain, path string, py *providerYAML) *Provider {
	pr := &Provider{
		ID:                py.ID,
		Name:              py.Name,
		Priority:          orInt(py.Priority, 100),
		Archival:          py.Archival == nil || *py.Archival,
		SubscribeNewHeads: ch.WebSocket.SubscribeNewHeads,
	}
	if py.SubscribeNewHeads != nil {
		pr.SubscribeNewHeads = *py.SubscribeNewHeads
	}
	if pr.Name == "" {
		pr.Name = pr.ID
	}
	switch {
	case pr.ID == "":
		c.fail(path+".id", "is required")
	case !providerIDPattern.MatchString(pr.ID):
		c.fail(path+".id", "%q must be letters, digits, '.', '-' or '_'", pr.ID)
	default:
		if _, dup := ch.byID[pr.ID]; dup {
			c.fail(path+".id", "provider %q appears twice in chain %q", pr.ID, ch.Key)
		}
		ch.byID[pr.ID] = pr
	}
	switch py.SharingMode {
	case "", "auto":
	case "isolated":
		pr.Isolated = true
	default:
		c.fail(path+".sharing_mode", "must be auto or isolated, got %q", py.SharingMode)
	}
	where := fmt.Sprintf("(profile %s, chain %s, provider %s)", p.Slug, ch.Key, pr.ID)
	pr.URL = c.secretField(path+".url", "url", py.URL, where)
	pr.WSURL = c.secretField(path+".ws_url", "ws_url", py.WSURL, where)
	apiKey := c.secretField(path+".api_key", "api_key", py.APIKey, where)
	// After substitution: a variable set to "" leaves no endpoint either.
	if pr.URL == "" && pr.WSURL == "" && !c.has(path+".url") && !c.has(path+".ws_url") {
		c.fail(path, "needs url, ws_url or both")
	}
	c.endpoint(path+".url", pr.URL, "http", "https")
	c.endpoint(path+".ws_url", pr.WSURL, "ws", "wss")
	c.scrubURL(pr.URL)
	c.scrubURL(pr.WSURL)
	c.secret(apiKey)

	pr.Headers = []Header{{"content-type", "application/json"}, {"accept", "application/json"}}
	if apiKey != "" {
		pr.Headers = append(pr.Headers, Header{"authorization", "Bearer " + apiKey})
	}
	pr.Headers = c.headers(pr.Headers, path+".headers", py.Headers, where, false)
	pr.Headers = c.headers(pr.Headers, path+".auth_headers", py.AuthHeaders, where, true)
	if py.Capabilities != nil {
		pr.Capabilities = c.capabilities(path+".capabilities", py.Capabilities)
	} else {
		pr.Capabilities = Capabilities{UnsupportedCategories: []string{"local_only"}, MaxBlockRange: -1, MaxBlockAge: -1}
	}
	pr.InstanceID = instanceID(p.Slug, pr, py.Credentials)
	pr.Redacted = RedactURL(pr.URL)
	if pr.Redacted == "" {
		pr.Redacted = RedactURL(pr.WSURL)
	}
	return pr
}

// secretField expands ${VAR} in a field that may carry a secret and reports
// any variable it cannot resolve, naming where it is.
func (c *compiler) secretField(path, field, raw, where string) string {
	out, missing, values, err := expand(raw, c.lookup)
	if err != nil {
		c.fail(path, "%v %s", err, where)
		return ""
	}
	if len(missing) > 0 {
		c.fail(path, "unresolved %s in %s %s: set the environment variable", strings.Join(missing, ", "), field, where)
		return ""
	}
	for _, v := range values {
		c.secret(v)
	}
	return out
}

func (c *compiler) endpoint(path, raw string, schemes ...string) {
	if raw == "" {
		return
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || !slices.Contains(schemes, u.Scheme) {
		// The value may hold a key: show only what RedactURL keeps.
		c.fail(path, "must be an absolute %s URL, got %q", strings.Join(schemes, " or "), RedactURL(raw))
	}
}

// headers appends a header map in key order, names lower-cased, so a later
// entry with the same name wins when sent.
func (c *compiler) headers(dst []Header, path string, m map[string]string, where string, secret bool) []Header {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		hpath := path + "." + k
		if !validHeaderName(k) {
			c.fail(hpath, "%q is not a valid header name", k)
			continue
		}
		v := c.secretField(hpath, "header "+k, m[k], where)
		if strings.ContainsAny(v, "\r\n") {
			c.fail(hpath, "header value must be one line")
			continue
		}
		if secret || sensitiveHeader(k) {
			c.secret(v)
		}
		dst = append(dst, Header{strings.ToLower(k), v})
	}
	return dst
}

func validHeaderName(k string) bool {
	if k == "" {
		return false
	}
	for _, r := range k {
		if r > 0x7e || r <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return false
		}
	}
	return true
}

func sensitiveHeader(name string) bool {
	n := strings.ToLower(name)
	return n == "authorization" || strings.Contains(n, "key") || strings.Contains(n, "token") || strings.Contains(n, "secret")
}

// minSecret keeps short values (a "1", a chain name) out of the scrub list,
// where they would mangle unrelated log text.
const minSecret = 6

func (c *compiler) secret(v string) {
	if len(v) >= minSecret {
		c.secrets[v] = true
	}
}

// scrubURL records the parts of an endpoint that carry keys in practice:
// user info, query values, and long path segments (Alchemy's /v2/<key>,
// Infura's /v3/<key>).
func (c *compiler) scrubURL(raw string) {
	u, err := url.Parse(raw)
	if err != nil || raw == "" {
		return
	}
	if pw, ok := u.User.Password(); ok {
		c.secret(pw)
	}
	if u.User != nil {
		c.secret(u.User.Username())
	}
	for _, vs := range u.Query() {
		for _, v := range vs {
			c.secret(v)
		}
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if len(seg) >= 16 {
			c.secret(seg)
		}
	}
}

// RedactURL keeps scheme and host of an endpoint and hides the rest, which is
// where providers put API keys.
func RedactURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "<redacted>"
	}
	out := u.Scheme + "://" + u.Host
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		out += "/<redacted>"
	}
	return out
}

// instanceID names the physical upstream: same endpoints and credentials,
// same instance, whatever id each profile gives it, so profiles share its
// health unless it is isolated.
func instanceID(profile string, pr *Provider, credentials any) string {
	h := sha256.New()
	if pr.Isolated {
		fmt.Fprintf(h, "profile=%s\n", profile)
	}
	fmt.Fprintf(h, "url=%s\nws=%s\n", pr.URL, pr.WSURL)
	for _, hd := range pr.Headers {
		fmt.Fprintf(h, "h=%s:%s\n", hd.Name, hd.Value)
	}
	if credentials != nil {
		fmt.Fprintf(h, "cred=%v\n", credentials)
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}
