package classify

import (
	"slices"
	"testing"
)

func TestCategoryTraits(t *testing.T) {
	for _, tc := range []struct {
		c         Category
		retriable bool
		penalised bool
		verdict   Verdict
	}{
		// reference 7.2 item 6: deterministic
		{InvalidRequest, false, false, Deterministic},
		{InvalidParams, false, false, Deterministic},
		{ParseError, false, false, Deterministic},
		{UserError, false, false, Deterministic},
		{ClientError, false, false, Deterministic},
		{ExecutionRevert, false, false, Deterministic},
		{UnclassifiedServerError, false, false, Deterministic},
		// quota
		{RateLimit, true, false, Quota},
		// capability: failover, no penalty
		{BlockNotAvailable, true, false, Capability},
		{CapabilityViolation, true, false, Capability},
		{RequiresArchival, true, false, Capability},
		{MethodNotFound, true, false, Capability},
		{UnknownError, true, false, Capability}, // ours: Lasso penalises it
		// provider failure
		{ServerError, true, true, ProviderFailure},
		{NetworkError, true, true, ProviderFailure},
		{Timeout, true, true, ProviderFailure},
		{InternalError, true, true, ProviderFailure},
		{AuthError, true, true, ProviderFailure},
		{ProviderError, true, true, ProviderFailure},
		{MethodError, true, true, ProviderFailure},
		{ChainError, true, true, ProviderFailure},
		{ProtocolError, true, true, ProviderFailure},
		// not a category: behaves as UnknownError
		{Category("no_such_category"), true, false, Capability},
		{Category(""), true, false, Capability},
	} {
		if got := tc.c.Retriable(); got != tc.retriable {
			t.Errorf("%q.Retriable(): got %v, want %v", tc.c, got, tc.retriable)
		}
		if got := tc.c.Penalised(); got != tc.penalised {
			t.Errorf("%q.Penalised(): got %v, want %v", tc.c, got, tc.penalised)
		}
		if got := tc.c.Verdict(); got != tc.verdict {
			t.Errorf("%q.Verdict(): got %s, want %s", tc.c, got, tc.verdict)
		}
	}
}

// Every category the package defines has its traits written down.
func TestEveryCategoryHasTraits(t *testing.T) {
	all := []Category{RateLimit, CapabilityViolation, ServerError, RequiresArchival, AuthError,
		NetworkError, ClientError, InvalidParams, MethodNotFound, ParseError, InternalError,
		UnknownError, MethodError, ChainError, UserError, ExecutionRevert, BlockNotAvailable,
		InvalidRequest, UnclassifiedServerError, Timeout, ProtocolError, ProviderError}
	for _, c := range all {
		if _, ok := traits[c]; !ok {
			t.Errorf("category %s: no traits", c)
		}
	}
	if len(traits) != len(all) {
		t.Errorf("traits: got %d categories, want %d", len(traits), len(all))
	}
}

func TestRuleCategories(t *testing.T) {
	// reference 2.4, in its order
	want := []Category{"rate_limit", "capability_violation", "server_error", "requires_archival",
		"auth_error", "network_error", "client_error", "invalid_params", "method_not_found",
		"parse_error", "internal_error", "unknown_error", "method_error", "chain_error", "user_error"}
	got := RuleCategories()
	if !slices.Equal(got, want) {
		t.Fatalf("RuleCategories(): got %v, want %v", got, want)
	}
	got[0] = "changed"
	if RuleCategories()[0] != RateLimit {
		t.Errorf("RuleCategories(): the caller's copy changed the package's list")
	}
}

func TestVerdictString(t *testing.T) {
	for _, tc := range []struct {
		v    Verdict
		want string
	}{
		{Deterministic, "deterministic"},
		{Quota, "quota"},
		{Capability, "capability"},
		{ProviderFailure, "provider_failure"},
		{Verdict(9), "verdict(9)"},
	} {
		if got := tc.v.String(); got != tc.want {
			t.Errorf("Verdict(%d).String(): got %q, want %q", tc.v, got, tc.want)
		}
	}
}
