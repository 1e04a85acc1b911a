package redistest

import "testing"

func TestStandaloneAndRestart(t *testing.T) {
	s := Start(t)
	if r, err := s.Do("SET", "k", "v"); err != nil || r != "+OK" {
		t.Fatalf("SET: %q %v", r, err)
	}
	s.Restart(t)
	if r, err := s.Do("GET", "k"); err != nil || r != "$-1" {
		t.Fatalf("GET after restart: %q %v, want an empty server", r, err)
	}
}

func TestCluster(t *testing.T) {
	c := StartCluster(t)
	if len(c.Addrs()) != 3 {
		t.Fatalf("got %d nodes", len(c.Addrs()))
	}
	if st, err := c.Nodes[1].clusterState(); err != nil || st != "ok" {
		t.Fatalf("cluster state %q %v", st, err)
	}
}
