package redisstore

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// The client's defaults are a hot path's: a request waits on Redis at most
// twice (one pipelined read, one pipelined write), and a Redis in trouble must
// cost it well under a second, after which the caller routes on with its own
// container's state. A query parameter of the URL (dial_timeout,
// read_timeout, pool_size, max_retries, ...) overrides any of them.
const (
	clientDialTimeout     = time.Second
	clientIOTimeout       = 500 * time.Millisecond
	clientPoolTimeout     = time.Second
	clientPoolSize        = 8  // a Lambda container serves one request at a time
	clientPipelinePool    = -1 // pipelines share the main pool: no second handshake per cold start
	clientMaxRetries      = 1  // one retry: enough to replace a connection a restart broke
	clientMaxRetryBackoff = 100 * time.Millisecond
	clientDialerRetries   = 1 // no dial retry loop: a refused dial fails now
	defaultRedisPort      = "6379"
)

// NewClient connects to Redis from a URL: redis://[user:password@]host[:port][/db][?options]
// or rediss:// for TLS (as ElastiCache with in-transit encryption needs).
//
// With cluster true it returns a *redis.ClusterClient seeded from the URL's
// host part, which may list several hosts separated by commas
// (rediss://:pw@node1:6379,node2:6379) or name one seed (an ElastiCache
// configuration endpoint); the password, user and TLS of the URL apply to
// every node, each node's TLS server name being its own host name. Cluster
// mode has database 0 only. With cluster false it returns a *redis.Client,
// and a host list is an error.
//
// No error it returns contains the URL's credentials; use RedactURL to show
// the URL itself. No connection is made here: the first command dials.
func NewClient(rawURL string, cluster bool) (redis.UniversalClient, error) {
	u, err := splitRedisURL(rawURL)
	if err != nil {
		return nil, err
	}
	if len(u.hosts) > 1 && !cluster {
		return nil, u.errorf("%d hosts listed: a host list needs cluster mode", len(u.hosts))
	}
	opt, err := redis.ParseURL(u.withHost(u.hosts[0]))
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the url.Error's text repeats the whole URL
		}
		return nil, u.errorf("%s", u.scrub(err.Error()))
	}
	applyClientDefaults(opt)
	if !cluster {
		return redis.NewClient(opt), nil
	}
	if opt.DB != 0 {
		return nil, u.errorf("database %d: cluster mode has database 0 only", opt.DB)
	}
	addrs := make([]string, len(u.hosts))
	for i, h := range u.hosts {
		if h == "" { // "redis://" alone: ParseURL's default address
			addrs[i] = opt.Addr
			continue
		}
		if addrs[i], err = hostPort(h); err != nil {
			return nil, u.errorf("host %d of the list: %s", i+1, u.scrub(err.Error()))
		}
	}
	return redis.NewClusterClient(clusterOptions(opt, addrs)), nil
}

// applyClientDefaults sets the hot path's defaults wherever the URL left a
// field at its zero value.
func applyClientDefaults(o *redis.Options) {
	setDefault(&o.DialTimeout, clientDialTimeout)
	setDefault(&o.ReadTimeout, clientIOTimeout)
	setDefault(&o.WriteTimeout, clientIOTimeout)
	setDefault(&o.PoolTimeout, clientPoolTimeout)
	setDefault(&o.MaxRetryBackoff, clientMaxRetryBackoff)
	setDefault(&o.PoolSize, clientPoolSize)
	setDefault(&o.PipelinePoolSize, clientPipelinePool)
	setDefault(&o.MaxRetries, clientMaxRetries)
	setDefault(&o.DialerRetries, clientDialerRetries)
	// The caller's deadline (the invocation's) bounds every command too.
	o.ContextTimeoutEnabled = true
	// ElastiCache neither needs CLIENT SETINFO nor sends maintenance
	// notifications: skip both handshakes on every cold start.
	o.DisableIdentity = true
	if o.MaintNotificationsConfig == nil {
		o.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	}
}

func setDefault[T comparable](field *T, value T) {
	var zero T
	if *field == zero {
		*field = value
	}
}

// clusterOptions carries a parsed standalone Options over to a cluster.
func clusterOptions(o *redis.Options, addrs []string) *redis.ClusterOptions {
	co := &redis.ClusterOptions{
		Addrs:                    addrs,
		ClientName:               o.ClientName,
		Protocol:                 o.Protocol,
		Username:                 o.Username,
		Password:                 o.Password,
		MaxRetries:               o.MaxRetries,
		MinRetryBackoff:          o.MinRetryBackoff,
		MaxRetryBackoff:          o.MaxRetryBackoff,
		DialTimeout:              o.DialTimeout,
		DialerRetries:            o.DialerRetries,
		ReadTimeout:              o.ReadTimeout,
		WriteTimeout:             o.WriteTimeout,
		ContextTimeoutEnabled:    o.ContextTimeoutEnabled,
		MaxConcurrentDials:       o.MaxConcurrentDials,
		PoolFIFO:                 o.PoolFIFO,
		PoolSize:                 o.PoolSize,
		PoolTimeout:              o.PoolTimeout,
		MinIdleConns:             o.MinIdleConns,
		MaxIdleConns:             o.MaxIdleConns,
		MaxActiveConns:           o.MaxActiveConns,
		ConnMaxIdleTime:          o.ConnMaxIdleTime,
		ConnMaxLifetime:          o.ConnMaxLifetime,
		ConnMaxLifetimeJitter:    o.ConnMaxLifetimeJitter,
		PipelinePoolSize:         o.PipelinePoolSize,
		PipelineReadBufferSize:   o.PipelineReadBufferSize,
		PipelineWriteBufferSize:  o.PipelineWriteBufferSize,
		TLSConfig:                o.TLSConfig,
		DisableIdentity:          o.DisableIdentity,
		MaintNotificationsConfig: o.MaintNotificationsConfig,
	}
	if co.TLSConfig != nil {
		// A node named by host name verifies its certificate under that name;
		// one known only by IP address keeps the seed's name, the one its
		// certificate was issued for (ElastiCache's are per cluster domain).
		co.NewClient = func(opt *redis.Options) *redis.Client {
			if h, _, err := net.SplitHostPort(opt.Addr); err == nil && h != "" && net.ParseIP(h) == nil && opt.TLSConfig != nil {
				tc := opt.TLSConfig.Clone()
				tc.ServerName = h
				opt.TLSConfig = tc
			}
			return redis.NewClient(opt)
		}
	}
	return co
}

// hostPort normalises one entry of a host list to host:port.
func hostPort(h string) (string, error) {
	if host, port, err := net.SplitHostPort(h); err == nil {
		if host == "" || port == "" {
			return "", fmt.Errorf("%q needs both a host and a port", h)
		}
		return h, nil
	}
	host := strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	if strings.HasPrefix(h, "[") != strings.HasSuffix(h, "]") || host == "" || strings.ContainsAny(host, "[]") || (strings.Contains(host, ":") && net.ParseIP(host) == nil) {
		return "", fmt.Errorf("%q is not host[:port]", h)
	}
	return net.JoinHostPort(host, defaultRedisPort), nil
}

// redisURL is a Redis URL split by hand, so that its credentials are known
// before anything (net/url included) can quote them in an error, and so that
// its host part may list several hosts.
type redisURL struct {
	scheme   string
	userinfo string   // between "://" and the authority's '@', raw; "" without one
	hosts    []string // the authority's host part split at commas
	rest     string   // from the first '/', '?' or '#' after the authority
	redacted string   // the URL with everything before its last '@' replaced
	secrets  []string // strings no error may contain, longest first
}

func splitRedisURL(raw string) (*redisURL, error) {
	u := &redisURL{redacted: RedactURL(raw)}
	scheme, after, ok := strings.Cut(raw, "://")
	// Conservatively secret: everything between "://" and the last '@', even
	// past a '/' or '?' (an unescaped one in a password), whatever url.Parse
	// would make of it.
	if at := strings.LastIndexByte(after, '@'); at >= 0 {
		u.addSecret(after[:at])
	}
	if !ok {
		return nil, u.errorf("not a URL: want redis:// or rediss://")
	}
	u.scheme = strings.ToLower(scheme)
	if u.scheme != "redis" && u.scheme != "rediss" {
		return nil, u.errorf("scheme %q: want redis:// or rediss://", u.scrub(scheme))
	}
	authority := after
	if i := strings.IndexAny(after, "/?#"); i >= 0 {
		authority, u.rest = after[:i], after[i:]
	}
	if strings.Contains(u.rest, "@") {
		// Most likely a password with a '/', '?' or '#' in it: what follows
		// would be parsed (and quoted in errors) as a path or a query.
		return nil, u.errorf("an '@' after the host part: percent-encode '/', '?', '#' and '@' in credentials and options")
	}
	hostPart := authority
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		u.userinfo, hostPart = authority[:at], authority[at+1:]
		if !validEscapes(u.userinfo) {
			return nil, u.errorf("the credentials hold an invalid %%-escape")
		}
	}
	u.hosts = strings.Split(hostPart, ",")
	for i, h := range u.hosts {
		if h == "" && (len(u.hosts) > 1) {
			return nil, u.errorf("host %d of the list is empty", i+1)
		}
	}
	return u, nil
}

func (u *redisURL) addSecret(s string) {
	add := func(s string) {
		if s != "" {
			u.secrets = append(u.secrets, s)
		}
	}
	add(s)
	for _, part := range strings.Split(s, ":") {
		add(part)
		if p, err := url.PathUnescape(part); err == nil {
			add(p)
		}
		if p, err := url.QueryUnescape(part); err == nil {
			add(p)
		}
	}
	sort.Slice(u.secrets, func(i, j int) bool { return len(u.secrets[i]) > len(u.secrets[j]) })
}

// withHost is the URL with one host in place of the host list.
func (u *redisURL) withHost(h string) string {
	var b strings.Builder
	b.WriteString(u.scheme)
	b.WriteString("://")
	if u.userinfo != "" {
		b.WriteString(u.userinfo)
		b.WriteByte('@')
	}
	b.WriteString(h)
	b.WriteString(u.rest)
	return b.String()
}

// scrub replaces every credential in s.
func (u *redisURL) scrub(s string) string {
	for _, secret := range u.secrets {
		s = strings.ReplaceAll(s, secret, "***")
	}
	return s
}

// errorf formats an error about the URL, credentials scrubbed.
func (u *redisURL) errorf(format string, args ...any) error {
	return errors.New(u.scrub("redisstore: Redis URL " + u.redacted + ": " + fmt.Sprintf(format, args...)))
}

// RedactURL returns a Redis URL fit for logs and errors: everything before
// the last '@' after the scheme (user and password) becomes "***", and a
// string that is no URL at all (a password pasted in the wrong place?)
// becomes "***" whole.
func RedactURL(raw string) string {
	scheme, after, ok := strings.Cut(raw, "://")
	switch at := strings.LastIndexByte(after, '@'); {
	case !ok:
		if raw == "" {
			return ""
		}
		return "***"
	case at >= 0:
		return scheme + "://***@" + after[at+1:]
	}
	return raw
}

// validEscapes reports whether every '%' in s starts a two-digit hex escape.
func validEscapes(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return false
		}
		i += 2
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
