package awsconfig_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/lasso-serverless/lasso/shared/awsconfig"
)

// realClients builds the SDK's clients the way NewSource does, from the
// environment awsEnv set.
func realClients(t *testing.T) (*ssm.Client, *secretsmanager.Client) {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatalf("LoadDefaultConfig: %v", err)
	}
	return ssm.NewFromConfig(cfg), secretsmanager.NewFromConfig(cfg)
}

func TestProfilesPaginatedAndDecrypted(t *testing.T) {
	fake := newSSM(t)
	awsEnv(t, fake, nil)
	fake.setPageSize(2)
	public, keyed := readTestdata(t, "profiles/public.yml"), readTestdata(t, "profiles/keyed.yml")
	fake.setParam("/lasso/profiles/public", "String", public)
	fake.setParam("/lasso/profiles/keyed", "SecureString", keyed)
	fake.setParam("/lasso/profiles/third.yml", "String", "x: 1\n")
	fake.setParam("/lasso/profiles/nested/deeper", "String", "not: a direct child\n")
	fake.setParam("/lasso/other", "String", "not: under the path\n")
	client, _ := realClients(t)

	files, err := awsconfig.Profiles(context.Background(), client, "/lasso/profiles")
	if err != nil {
		t.Fatalf("Profiles: %v", err)
	}
	want := map[string]string{
		"/lasso/profiles/public.yml": public,
		"/lasso/profiles/keyed.yml":  keyed, // a SecureString, decrypted
		"/lasso/profiles/third.yml":  "x: 1\n",
	}
	if len(files) != len(want) {
		t.Errorf("got files %v, want %d files", keys(files), len(want))
	}
	for name, body := range want {
		if got := string(files[name]); got != body {
			t.Errorf("file %s: got %q, want %q", name, got, body)
		}
	}

	calls := fake.Calls()
	if len(calls) != 2 {
		t.Fatalf("got %d GetParametersByPath calls, want 2 (3 parameters, pages of 2)", len(calls))
	}
	for i, c := range calls {
		if c.Target != "AmazonSSM.GetParametersByPath" || !strings.HasPrefix(c.Auth, "AWS4-HMAC-SHA256 ") {
			t.Errorf("call %d: got target %q auth %q, want GetParametersByPath signed with SigV4", i, c.Target, c.Auth)
		}
		if c.Body["Path"] != "/lasso/profiles" || c.Body["Recursive"] != false || c.Body["WithDecryption"] != true {
			t.Errorf("call %d: got body %v, want Path /lasso/profiles, Recursive false, WithDecryption true", i, c.Body)
		}
	}
	if _, ok := calls[0].Body["NextToken"]; ok {
		t.Errorf("first call: got NextToken %v, want none", calls[0].Body["NextToken"])
	}
	if calls[1].Body["NextToken"] != "page-2" {
		t.Errorf("second call: got NextToken %v, want the first page's page-2", calls[1].Body["NextToken"])
	}
}

func TestProfilesErrors(t *testing.T) {
	cases := []struct {
		name   string
		setup  func(f *fakeAWS)
		want   []string
		hidden string // a value that must not appear in the error
	}{
		{
			name: "empty path",
			want: []string{"/lasso/profiles", "none found"},
		},
		{
			name: "string list",
			setup: func(f *fakeAWS) {
				f.setParam("/lasso/profiles/public", "StringList", "supersecretvalue,b")
			},
			want:   []string{"/lasso/profiles/public", "StringList"},
			hidden: "supersecretvalue",
		},
		{
			name:  "server error",
			setup: func(f *fakeAWS) { f.fail(http.StatusInternalServerError) },
			want:  []string{"/lasso/profiles", "GetParametersByPath", "500"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := newSSM(t)
			awsEnv(t, fake, nil)
			if tc.setup != nil {
				tc.setup(fake)
			}
			client, _ := realClients(t)
			files, err := awsconfig.Profiles(context.Background(), client, "/lasso/profiles")
			if err == nil {
				t.Fatalf("got files %v, want an error", keys(files))
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got error %q, want it to contain %q", err, w)
				}
			}
			if tc.hidden != "" && strings.Contains(err.Error(), tc.hidden) {
				t.Errorf("got error %q, want it without the parameter's value", err)
			}
		})
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
