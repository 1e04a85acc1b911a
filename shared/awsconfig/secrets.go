package awsconfig

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/lasso-serverless/lasso/shared/profile"
)

// SecretsManagerAPI is the part of the Secrets Manager client that Secrets
// uses.
type SecretsManagerAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

var _ SecretsManagerAPI = (*secretsmanager.Client)(nil)

// Secrets reads a Secrets Manager secret (its current version) whose
// SecretString is a JSON object of string values, such as
// {"ALCHEMY_API_KEY": "..."}, the shape the console's key/value editor
// writes. Errors name the secret and the offending key, never a value: a
// value that is not a string is refused with its JSON type only, and a
// syntax error is reported by offset, not by the character found there.
func Secrets(ctx context.Context, client SecretsManagerAPI, id string) (map[string]string, error) {
	out, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
	if err != nil {
		return nil, fmt.Errorf("secret %s: %w", id, err)
	}
	if out.SecretString == nil {
		return nil, fmt.Errorf("secret %s: has no SecretString (a binary secret): want a JSON object of strings", id)
	}
	return parseSecret(id, []byte(*out.SecretString))
}

// parseSecret decodes a JSON object of strings. encoding/json's own errors
// quote the input (a syntax error names the character it met), so they are
// replaced with messages that cannot carry a secret.
func parseSecret(id string, data []byte) (map[string]string, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		var syn *json.SyntaxError
		switch {
		case errors.As(err, &syn):
			return nil, fmt.Errorf("secret %s: SecretString is not valid JSON (at byte %d): want a JSON object of strings", id, syn.Offset)
		default:
			return nil, fmt.Errorf("secret %s: SecretString is a JSON %s: want a JSON object of strings", id, jsonKind(bytes.TrimSpace(data)))
		}
	}
	if raw == nil {
		return nil, fmt.Errorf("secret %s: SecretString is a JSON null: want a JSON object of strings", id)
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys) // errors in a stable order
	values := make(map[string]string, len(raw))
	var errs []error
	for _, k := range keys {
		v := raw[k]
		if kind := jsonKind(v); kind != "string" {
			errs = append(errs, fmt.Errorf("secret %s: key %q holds a JSON %s, want a string", id, k, kind))
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil { // cannot happen after Unmarshal accepted the object
			errs = append(errs, fmt.Errorf("secret %s: key %q: not a valid JSON string", id, k))
			continue
		}
		values[k] = s
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return values, nil
}

// jsonKind names the type of a valid JSON value from its first byte.
func jsonKind(v []byte) string {
	if len(v) == 0 {
		return "empty value"
	}
	switch v[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	default:
		return "number"
	}
}

// Lookup resolves ${VAR} from the environment first, then from secrets. A
// variable set in the environment wins even when set to the empty string, as
// with os.LookupEnv everywhere else. env may be nil (secrets only).
func Lookup(env profile.Lookup, secrets map[string]string) profile.Lookup {
	return func(name string) (string, bool) {
		if env != nil {
			if v, ok := env(name); ok {
				return v, true
			}
		}
		v, ok := secrets[name]
		return v, ok
	}
}

// clientKeys turns a client-keys secret ({"<client name>": "<api key>"}) into
// a map from key to name. Every key must be non-empty and name one client;
// errors name the clients, never the keys.
func clientKeys(id string, byName map[string]string) (map[string]string, error) {
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	slices.Sort(names)
	byKey := make(map[string]string, len(byName))
	var errs []error
	for _, n := range names {
		k := byName[n]
		switch prev, dup := byKey[k]; {
		case k == "":
			errs = append(errs, fmt.Errorf("secret %s: client %q has an empty API key", id, n))
		case dup:
			errs = append(errs, fmt.Errorf("secret %s: clients %q and %q have the same API key", id, prev, n))
		default:
			byKey[k] = n
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return byKey, nil
}
