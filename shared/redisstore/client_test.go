package redisstore

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/lasso-serverless/lasso/shared/redisstore/redistest"
)

const clientTestSecret = "s3cr3t-Pw"

// No error NewClient returns contains the password, or a fragment of it,
// however the URL is broken.
func TestNewClientErrorsNeverShowThePassword(t *testing.T) {
	for _, c := range []struct {
		url     string
		cluster bool
	}{
		{"redis://:" + clientTestSecret + "@cache:notaport", false},
		{"redis://user:" + clientTestSecret + "@cache:6379/notadb", false},
		{"redis://:" + clientTestSecret + "@cache:6379/1/2", false},
		{"redis://:" + clientTestSecret + "@cache:6379?bogus=1", false},
		{"redis://:" + clientTestSecret + "@cache:6379?dial_timeout=soon", false},
		{"redis://:" + clientTestSecret + "@cache:6379?db=" + clientTestSecret, false},
		{"rediss://:" + clientTestSecret + "@node1:7000,node2:7001", false},
		{"rediss://:" + clientTestSecret + "@node1:7000,,node2:7001", true},
		{"rediss://:" + clientTestSecret + "@node1:7000,node2:x:y", true},
		{"rediss://:" + clientTestSecret + "@node1:7000,[::1", true},
		{"redis://:" + clientTestSecret + "@node1:7000/3", true},
		{"http://:" + clientTestSecret + "@cache", false},
		{"unix://:" + clientTestSecret + "@/tmp/redis.sock", false},
		{"redis://:s3cr3t%zz-Pw@cache", false},
		{"redis://:s3cr3t/-Pw@cache", false},    // an unescaped '/' in the password
		{"redis://:s3cr3t?-Pw@cache", false},    // an unescaped '?'
		{"redis://:s3cr3t#-Pw@cache", false},    // an unescaped '#'
		{"redis://:s3cr3t\x7f-Pw@cache", false}, // a control character
		{clientTestSecret, false},               // the password where the URL goes
		{"redis://" + clientTestSecret + "@cache:0x", false},
	} {
		_, err := NewClient(c.url, c.cluster)
		if err == nil {
			t.Errorf("NewClient(%q, %v): no error", c.url, c.cluster)
			continue
		}
		msg := err.Error()
		t.Logf("%s", msg)
		for _, fragment := range []string{clientTestSecret, "s3cr3t", "-Pw", "%zz"} {
			if strings.Contains(msg, fragment) {
				t.Errorf("NewClient(%q, %v) error shows %q: %s", c.url, c.cluster, fragment, msg)
			}
		}
		if !strings.HasPrefix(msg, "redisstore: Redis URL ") {
			t.Errorf("error %q does not say what it is about", msg)
		}
	}
}

func TestNewClientStandaloneOptions(t *testing.T) {
	rdb, err := NewClient("rediss://app:"+clientTestSecret+"@cache.example.com:6380/2?read_timeout=2s", false)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	c, ok := rdb.(*redis.Client)
	if !ok {
		t.Fatalf("got %T, want *redis.Client", rdb)
	}
	o := c.Options()
	if o.Addr != "cache.example.com:6380" || o.Username != "app" || o.Password != clientTestSecret || o.DB != 2 {
		t.Errorf("addr %q user %q db %d, password kept: %v", o.Addr, o.Username, o.DB, o.Password == clientTestSecret)
	}
	if o.TLSConfig == nil || o.TLSConfig.ServerName != "cache.example.com" {
		t.Errorf("rediss:// without TLS to the host name: %+v", o.TLSConfig)
	}
	if o.DialTimeout != time.Second || o.ReadTimeout != 2*time.Second || o.WriteTimeout != 500*time.Millisecond {
		t.Errorf("timeouts dial %v read %v write %v; want 1s, the URL's 2s, 500ms", o.DialTimeout, o.ReadTimeout, o.WriteTimeout)
	}
	if o.PoolSize != clientPoolSize || o.MaxRetries != clientMaxRetries || !o.ContextTimeoutEnabled {
		t.Errorf("pool %d retries %d context timeouts %v", o.PoolSize, o.MaxRetries, o.ContextTimeoutEnabled)
	}

	plain, err := NewClient("redis://localhost", false)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if o := plain.(*redis.Client).Options(); o.TLSConfig != nil || o.Addr != "localhost:6379" {
		t.Errorf("redis://localhost: addr %q, TLS %v", o.Addr, o.TLSConfig)
	}
}

func TestNewClientClusterOptions(t *testing.T) {
	rdb, err := NewClient("rediss://:"+clientTestSecret+"@node-a.example:7000,node-b.example,[::1]:7002?pool_size=3", true)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	c, ok := rdb.(*redis.ClusterClient)
	if !ok {
		t.Fatalf("got %T, want *redis.ClusterClient", rdb)
	}
	o := c.Options()
	if got := strings.Join(o.Addrs, " "); got != "node-a.example:7000 node-b.example:6379 [::1]:7002" {
		t.Errorf("Addrs %q", got)
	}
	if o.Password != clientTestSecret || o.PoolSize != 3 || o.DialTimeout != time.Second || o.ReadTimeout != 500*time.Millisecond || o.MaxRetries != clientMaxRetries {
		t.Errorf("password kept %v, pool %d, dial %v, read %v, retries %d", o.Password == clientTestSecret, o.PoolSize, o.DialTimeout, o.ReadTimeout, o.MaxRetries)
	}
	if o.TLSConfig == nil || o.NewClient == nil {
		t.Fatal("rediss:// cluster without TLS")
	}
	// Each node verifies its certificate under its own host name; a node
	// known by IP keeps the seed's name.
	for addr, want := range map[string]string{"node-c.example:7003": "node-c.example", "10.0.0.7:6379": "node-a.example"} {
		node := o.NewClient(&redis.Options{Addr: addr, TLSConfig: o.TLSConfig})
		if got := node.Options().TLSConfig.ServerName; got != want {
			t.Errorf("node %s: TLS server name %q, want %q", addr, got, want)
		}
		node.Close()
	}
	if o.TLSConfig.ServerName != "node-a.example" {
		t.Errorf("the shared TLS config was changed: %q", o.TLSConfig.ServerName)
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"redis://:pw@cache:6379/0":      "redis://***@cache:6379/0",
		"rediss://u:p@ss@a:1,b:2?x=1":   "rediss://***@a:1,b:2?x=1",
		"redis://cache:6379":            "redis://cache:6379",
		"hunter2":                       "***",
		"":                              "",
		"redis://:pa/ss@cache?db=1#f@x": "redis://***@x",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// NewClient's clients talk to real servers: a password-protected standalone
// one, and the cluster through a comma-separated seed list (the breaker
// contract runs on that one too).
func TestNewClientConnects(t *testing.T) {
	s := redistest.Start(t)
	ctx := context.Background()
	if r, err := s.Do("CONFIG", "SET", "requirepass", clientTestSecret); err != nil || r != "+OK" {
		t.Fatalf("requirepass: %q %v", r, err)
	}
	wrong, err := NewClient("redis://:wrong@"+s.Addr, false)
	if err != nil {
		t.Fatal(err)
	}
	defer wrong.Close()
	if err := wrong.Ping(ctx).Err(); err == nil || strings.Contains(err.Error(), clientTestSecret) {
		t.Fatalf("Ping with a wrong password: %v", err)
	}
	rdb, err := NewClient("redis://:"+clientTestSecret+"@"+s.Addr, false)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("Ping: %v", err)
	}

	c := redistest.StartCluster(t)
	crdb, err := NewClient("redis://"+c.Nodes[1].Addr, true) // one seed finds the rest
	if err != nil {
		t.Fatal(err)
	}
	defer crdb.Close()
	for i := range 20 {
		key := "{k" + string(rune('a'+i)) + "}"
		if err := crdb.Set(ctx, key, "v", time.Minute).Err(); err != nil {
			t.Fatalf("SET %s through one seed: %v", key, err)
		}
	}
}
