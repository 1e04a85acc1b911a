package awsconfig_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/lasso-serverless/lasso/shared/awsconfig"
)

func TestSecrets(t *testing.T) {
	fake := newSecretsManager(t)
	awsEnv(t, nil, fake)
	fake.setSecret("lasso/providers", map[string]string{
		"ALCHEMY_API_KEY": "alchemy-key-0123456789",
		"EMPTY":           "",
		"QUOTED":          `a "quoted" \ value`,
	})
	_, client := realClients(t)

	got, err := awsconfig.Secrets(context.Background(), client, "lasso/providers")
	if err != nil {
		t.Fatalf("Secrets: %v", err)
	}
	want := map[string]string{"ALCHEMY_API_KEY": "alchemy-key-0123456789", "EMPTY": "", "QUOTED": `a "quoted" \ value`}
	if len(got) != len(want) {
		t.Errorf("got keys %v, want %v", keys(got), keys(want))
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("key %s: got %q (present %v), want %q", k, g, ok, v)
		}
	}
	calls := fake.Calls()
	if len(calls) != 1 {
		t.Fatalf("got %d calls, want 1", len(calls))
	}
	if c := calls[0]; c.Target != "secretsmanager.GetSecretValue" || c.Body["SecretId"] != "lasso/providers" || !strings.Contains(c.Auth, "/us-east-1/secretsmanager/aws4_request") {
		t.Errorf("got call %+v, want GetSecretValue of lasso/providers signed for secretsmanager", c)
	}
}

func TestSecretsErrorsNameKeysNotValues(t *testing.T) {
	const value = "hunter2-very-secret"
	cases := []struct {
		name   string
		secret any    // stored as the SecretString (JSON-encoded unless a string)
		binary bool   // a SecretBinary instead
		id     string // asked for (default lasso/providers)
		status int
		want   []string
	}{
		{name: "number", secret: `{"GOOD":"x","PORT":12345678901}`, want: []string{"lasso/providers", `key "PORT"`, "JSON number", "want a string"}},
		{name: "object", secret: map[string]any{"NESTED": map[string]string{"k": value}}, want: []string{`key "NESTED"`, "JSON object"}},
		{name: "several", secret: map[string]any{"A": true, "B": nil, "C": []string{value}}, want: []string{`key "A"`, "boolean", `key "B"`, "null", `key "C"`, "array"}},
		{name: "array", secret: []string{value}, want: []string{"SecretString is a JSON array", "want a JSON object of strings"}},
		{name: "plain text", secret: value, want: []string{"not valid JSON", "at byte"}},
		{name: "truncated", secret: `{"K":"` + value, want: []string{"not valid JSON"}},
		{name: "null", secret: `null`, want: []string{"JSON null"}},
		{name: "binary", binary: true, want: []string{"has no SecretString"}},
		{name: "not found", id: "lasso/missing", want: []string{"lasso/missing", "ResourceNotFoundException"}},
		{name: "server error", status: http.StatusInternalServerError, want: []string{"lasso/providers", "500"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := newSecretsManager(t)
			awsEnv(t, nil, fake)
			if tc.binary {
				fake.setBinarySecret("lasso/providers")
			} else if tc.secret != nil {
				fake.setSecret("lasso/providers", tc.secret)
			}
			if tc.status != 0 {
				fake.fail(tc.status)
			}
			id := tc.id
			if id == "" {
				id = "lasso/providers"
			}
			_, client := realClients(t)
			got, err := awsconfig.Secrets(context.Background(), client, id)
			if err == nil {
				t.Fatalf("got keys %v, want an error", keys(got))
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got error %q, want it to contain %q", err, w)
				}
			}
			for _, v := range []string{value, "hunter2", "12345678901"} {
				if strings.Contains(err.Error(), v) {
					t.Errorf("got error %q, want it without the value %q", err, v)
				}
			}
		})
	}
}

func TestLookup(t *testing.T) {
	t.Parallel()
	env := func(name string) (string, bool) {
		switch name {
		case "FROM_ENV":
			return "env", true
		case "EMPTY_ENV":
			return "", true
		}
		return "", false
	}
	secrets := map[string]string{"FROM_ENV": "secret", "EMPTY_ENV": "secret", "ONLY_SECRET": "s3"}
	cases := []struct {
		env        func(string) (string, bool)
		name, want string
		ok         bool
	}{
		{env, "FROM_ENV", "env", true},    // the environment wins
		{env, "EMPTY_ENV", "", true},      // even set to empty, as os.LookupEnv
		{env, "ONLY_SECRET", "s3", true},  // then the secret
		{env, "NOWHERE", "", false},       // unresolved
		{nil, "FROM_ENV", "secret", true}, // no environment: the secret alone
		{nil, "NOWHERE", "", false},       //
	}
	for _, tc := range cases {
		got, ok := awsconfig.Lookup(tc.env, secrets)(tc.name)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Lookup(env=%v)(%s): got %q, %v, want %q, %v", tc.env != nil, tc.name, got, ok, tc.want, tc.ok)
		}
	}
	if _, ok := awsconfig.Lookup(nil, nil)("X"); ok {
		t.Error("Lookup(nil, nil)(X): got found, want not found")
	}
}
