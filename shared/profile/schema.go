package profile

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// These types mirror the YAML exactly (reference schema, sections 2.2 to
// 2.5). Pointers tell "absent" from zero so that defaults apply only to what
// the file left out. They never leave this package: compile turns them into
// the frozen model.

type frontmatter struct {
	Name              string `yaml:"name"`
	Slug              string `yaml:"slug"`
	Logo              string `yaml:"logo"`
	RPSLimit          *int   `yaml:"rps_limit"`
	DefaultRPSLimit   *int   `yaml:"default_rps_limit"`
	BurstLimit        *int   `yaml:"burst_limit"`
	DefaultBurstLimit *int   `yaml:"default_burst_limit"`
	Unlisted          *bool  `yaml:"unlisted"`
	Type              string `yaml:"type"` // accepted and ignored, as in Lasso
	// RateLimitFailClosed is ours: refuse clients while the limiter's store
	// cannot answer, instead of letting them through.
	RateLimitFailClosed *bool `yaml:"rate_limit_fail_closed"`
}

type body struct {
	Chains yaml.Node `yaml:"chains"` // a node, to keep the file's chain order
}

// legacyFile is a file without frontmatter: its metadata sits beside chains.
type legacyFile struct {
	frontmatter `yaml:",inline"`
	body        `yaml:",inline"`
}

type chainYAML struct {
	ChainID     *int64          `yaml:"chain_id"`
	Name        string          `yaml:"name"`
	URLAliases  []string        `yaml:"url_aliases"`
	Aliases     []string        `yaml:"aliases"`
	BlockTimeMS *int            `yaml:"block_time_ms"`
	Monitoring  *monitoringYAML `yaml:"monitoring"`
	Selection   *selectionYAML  `yaml:"selection"`
	WebSocket   *websocketYAML  `yaml:"websocket"`
	Failover    *failoverYAML   `yaml:"failover"` // legacy home of websocket.failover
	UITopology  *uiYAML         `yaml:"ui-topology"`
	Providers   []providerYAML  `yaml:"providers"`
}

type monitoringYAML struct {
	ProbeIntervalMS         *int `yaml:"probe_interval_ms"`
	LagAlertThresholdBlocks *int `yaml:"lag_alert_threshold_blocks"`
	LagThresholdBlocks      *int `yaml:"lag_threshold_blocks"`
	// Legacy homes of the websocket settings.
	SubscribeNewHeads            *bool `yaml:"subscribe_new_heads"`
	NewHeadsStalenessThresholdMS *int  `yaml:"new_heads_staleness_threshold_ms"`
}

type selectionYAML struct {
	MaxLagBlocks      *int `yaml:"max_lag_blocks"`
	ArchivalThreshold *int `yaml:"archival_threshold"`
}

type websocketYAML struct {
	SubscribeNewHeads *bool         `yaml:"subscribe_new_heads"`
	NewHeadsTimeoutMS *int          `yaml:"new_heads_timeout_ms"`
	Failover          *failoverYAML `yaml:"failover"`
}

type failoverYAML struct {
	MaxBackfillBlocks *int `yaml:"max_backfill_blocks"`
	BackfillTimeoutMS *int `yaml:"backfill_timeout_ms"`
	BackfillTimeout   *int `yaml:"backfill_timeout"`
}

type uiYAML struct {
	Color string `yaml:"color"`
	Size  string `yaml:"size"`
}

type providerYAML struct {
	ID                string            `yaml:"id"`
	Name              string            `yaml:"name"`
	Priority          *int              `yaml:"priority"`
	URL               string            `yaml:"url"`
	WSURL             string            `yaml:"ws_url"`
	Archival          *bool             `yaml:"archival"`
	SubscribeNewHeads *bool             `yaml:"subscribe_new_heads"`
	SharingMode       string            `yaml:"sharing_mode"`
	APIKey            string            `yaml:"api_key"`
	Headers           map[string]string `yaml:"headers"`
	AuthHeaders       map[string]string `yaml:"auth_headers"`
	Credentials       any               `yaml:"credentials"`
	Type              any               `yaml:"type"`             // ignored, as in Lasso
	APIKeyRequired    any               `yaml:"api_key_required"` // ignored, as in Lasso
	Capabilities      *capabilitiesYAML `yaml:"capabilities"`
}

type capabilitiesYAML struct {
	UnsupportedCategories *[]string       `yaml:"unsupported_categories"`
	UnsupportedMethods    []string        `yaml:"unsupported_methods"`
	Limits                *limitsYAML     `yaml:"limits"`
	ErrorRules            []errorRuleYAML `yaml:"error_rules"`
}

type limitsYAML struct {
	MaxBlockRange   *int     `yaml:"max_block_range"`
	MaxBlockAge     *int     `yaml:"max_block_age"`
	BlockAgeMethods []string `yaml:"block_age_methods"`
}

type errorRuleYAML struct {
	Code            *int       `yaml:"code"`
	MessageContains stringList `yaml:"message_contains"`
	Category        string     `yaml:"category"`
}

// stringList accepts a single string or a list of strings.
type stringList []string

func (s *stringList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*s = stringList{n.Value}
		return nil
	}
	var list []string
	if err := n.Decode(&list); err != nil {
		return fmt.Errorf("must be a string or a list of strings")
	}
	*s = list
	return nil
}

// shapeOK lets the strict walker check a custom type without knowing it.
func (stringList) shapeOK(n *yaml.Node) bool {
	if n.Kind == yaml.ScalarNode {
		return n.Tag == "!!str"
	}
	if n.Kind != yaml.SequenceNode {
		return false
	}
	for _, c := range n.Content {
		if c.Kind != yaml.ScalarNode || c.Tag != "!!str" {
			return false
		}
	}
	return true
}
