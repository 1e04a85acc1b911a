package redistest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Server is one running redis-server.
type Server struct {
	Addr string // host:port
	cmd  *exec.Cmd
	done chan struct{}
	args []string
	bin  string
}

// Binary returns the redis-server to run, or skips (fails under CI=true).
func Binary(t testing.TB) string {
	t.Helper()
	bin := os.Getenv("LASSO_REDIS_SERVER")
	if bin == "" {
		bin, _ = exec.LookPath("redis-server")
	}
	if bin != "" {
		if _, err := os.Stat(bin); err == nil {
			return bin
		}
	}
	why := "no redis-server (set LASSO_REDIS_SERVER or run `make tools`)"
	if os.Getenv("CI") == "true" {
		t.Fatal("redis prerequisite missing in CI: " + why)
	}
	t.Skip("skipping: " + why)
	return ""
}

// Start runs a standalone server with persistence off.
func Start(t testing.TB) *Server {
	t.Helper()
	return start(t, Binary(t), nil)
}

func start(t testing.TB, bin string, extra []string) *Server {
	t.Helper()
	for try := 0; try < 5; try++ { // a free port can be taken before we bind it
		port := freePort(t)
		dir := t.TempDir()
		args := append([]string{
			"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
			"--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning",
		}, extra...)
		s := &Server{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), bin: bin, args: args}
		if err := s.launch(); err != nil {
			t.Fatal(err)
		}
		if s.waitReady(10 * time.Second) {
			t.Cleanup(s.Stop)
			return s
		}
		s.Stop()
	}
	t.Fatal("redistest: redis-server did not start")
	return nil
}

func (s *Server) launch() error {
	s.cmd = exec.Command(s.bin, s.args...)
	s.done = make(chan struct{})
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("redistest: start %s: %w", s.bin, err)
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	return nil
}

// Stop kills the server (SIGKILL: a crash, not a shutdown) and waits for it.
// It signals only the PID it started.
func (s *Server) Stop() {
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

// Restart starts the server again on the same port, empty.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Stop()
	if err := s.launch(); err != nil {
		t.Fatal(err)
	}
	if !s.waitReady(10 * time.Second) {
		t.Fatal("redistest: redis-server did not come back")
	}
}

// Do sends one command and returns its first reply line (tests' setup and
// checks; the product talks through go-redis).
func (s *Server) Do(args ...string) (string, error) {
	conn, err := net.DialTimeout("tcp", s.Addr, time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := conn.Write([]byte(b.String())); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	return strings.TrimRight(line, "\r\n"), err
}

func (s *Server) waitReady(limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return false
		default:
		}
		if r, err := s.Do("PING"); err == nil && r == "+PONG" {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Cluster is a three-master Redis Cluster.
type Cluster struct {
	Nodes []*Server
}

// Addrs are the seed addresses of the cluster.
func (c *Cluster) Addrs() []string {
	out := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		out[i] = n.Addr
	}
	return out
}

// StartCluster runs three masters and joins them with redis-cli.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	bin := Binary(t)
	cli := filepath.Join(filepath.Dir(bin), "redis-cli")
	if _, err := os.Stat(cli); err != nil {
		if cli, err = exec.LookPath("redis-cli"); err != nil {
			t.Fatal("redistest: redis-cli is needed to form a cluster")
		}
	}
	c := &Cluster{}
	for range 3 {
		c.Nodes = append(c.Nodes, start(t, bin, []string{"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000"}))
	}
	args := append([]string{"--cluster", "create"}, c.Addrs()...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.Command(cli, args...).CombinedOutput(); err != nil {
		t.Fatalf("redistest: cluster create: %v\n%s", err, out)
	}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		ready := true
		for _, n := range c.Nodes { // every node must agree, not just the first
			if info, err := n.clusterState(); err != nil || info != "ok" {
				ready = false
			}
		}
		if ready {
			return c
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("redistest: the cluster did not reach state ok")
	return nil
}

func (s *Server) clusterState() (string, error) {
	conn, err := net.DialTimeout("tcp", s.Addr, time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := conn.Write([]byte("*2\r\n$7\r\nCLUSTER\r\n$4\r\nINFO\r\n")); err != nil {
		return "", err
	}
	r := bufio.NewReader(conn)
	if _, err := r.ReadString('\n'); err != nil { // bulk length
		return "", err
	}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return "", err
		}
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "cluster_state:"); ok {
			return v, nil
		}
	}
}
