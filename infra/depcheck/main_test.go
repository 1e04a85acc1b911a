package main

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	m := module + "/"
	tests := []struct {
		name    string
		pkg     pkg
		wantBad string // substring of the one problem expected; "" for none
	}{
		{"core on core and std", pkg{m + "shared/proxy", []string{"context", m + "shared/jsonrpc"}}, ""},
		{"core on yaml", pkg{m + "shared/profile", []string{"go.yaml.in/yaml/v3"}}, ""},
		{"core on net/http", pkg{m + "shared/proxy", []string{"net/http"}}, "free of HTTP"},
		{"core on go-redis", pkg{m + "shared/breaker", []string{"github.com/redis/go-redis/v9"}}, "pure libraries"},
		{"core on adapter", pkg{m + "shared/routing", []string{m + "shared/rpcclient"}}, "must not depend on adapter"},
		{"adapter on core", pkg{m + "shared/httpapi", []string{m + "shared/proxy", "net/http"}}, ""},
		{"adapter on adapter", pkg{m + "shared/httpapi", []string{m + "shared/telemetry"}}, "must not import each other"},
		{"adapter test helper on its adapter", pkg{m + "shared/httpapi/httpapitest", []string{m + "shared/httpapi"}}, ""},
		{"adapter on app", pkg{m + "shared/rpcclient", []string{m + "shared/app"}}, "must not depend on app"},
		{"app on everything", pkg{m + "shared/app", []string{m + "shared/httpapi", m + "shared/proxy"}}, ""},
		{"function on app", pkg{m + "functions/local", []string{m + "shared/app", "os"}}, ""},
		{"function on core", pkg{m + "functions/local", []string{m + "shared/profile"}}, "composition roots"},
		{"unknown package", pkg{m + "shared/util", nil}, "layer table"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := check(tt.pkg)
			switch {
			case tt.wantBad == "" && len(got) != 0:
				t.Errorf("got problems %q, want none", got)
			case tt.wantBad != "" && (len(got) != 1 || !strings.Contains(got[0], tt.wantBad)):
				t.Errorf("got problems %q, want one containing %q", got, tt.wantBad)
			}
		})
	}
}
