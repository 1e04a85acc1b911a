package profile

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// compiler turns one decoded file into the frozen model, applying defaults
// and recording every validation problem with its YAML path.
type compiler struct {
	*strict
	lookup  Lookup
	secrets map[string]bool
}

// fail records a problem unless the path already has one: a value the strict
// walker rejected is left zero, and "is required" on top would only be noise.
func (c *compiler) fail(path, format string, args ...any) {
	for _, p := range c.problems {
		if p.Path == path {
			return
		}
	}
	c.problems = append(c.problems, Problem{File: c.file, Path: path, Line: c.lines[path], Msg: fmt.Sprintf(format, args...)})
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

func (c *compiler) profile(path string, m frontmatter, b *body) *Profile {
	p := &Profile{
		File:     path,
		Slug:     m.Slug,
		Name:     m.Name,
		Logo:     m.Logo,
		Unlisted: m.Unlisted != nil && *m.Unlisted,
		byName:   map[string]*Chain{},
		byID:     map[int64]*Chain{},

		RateLimitFailClosed: m.RateLimitFailClosed != nil && *m.RateLimitFailClosed,
	}
	p.slugLine = c.lines["slug"]
	want := strings.TrimSuffix(baseName(path), ".yml")
	switch {
	case p.Slug == "":
		c.fail("slug", "is required (and must equal the file name, %q)", want)
	case p.Slug != want:
		c.fail("slug", "%q must equal the file name %q", p.Slug, want)
	case !slugPattern.MatchString(p.Slug):
		c.fail("slug", "%q must be lower-case letters, digits, '-' or '_'", p.Slug)
	case profileAliases[p.Slug] != "":
		c.fail("slug", "%q is reserved as an alias of %q", p.Slug, profileAliases[p.Slug])
	}
	if p.Name == "" {
		c.fail("name", "is required")
	}
	var at string
	p.RPSLimit, at = c.aliased("rps_limit", m.RPSLimit, "default_rps_limit", m.DefaultRPSLimit, 100)
	c.positive(at, p.RPSLimit)
	p.BurstLimit, at = c.aliased("burst_limit", m.BurstLimit, "default_burst_limit", m.DefaultBurstLimit, 500)
	c.positive(at, p.BurstLimit)

	chains := &b.Chains
	switch {
	case chains.Kind == 0 || chains.Tag == "!!null":
		c.fail("chains", "at least one chain is required")
		return p
	case chains.Kind != yaml.MappingNode:
		c.fail("chains", "must be a mapping of chain key to chain")
		return p
	case len(chains.Content) == 0:
		c.fail("chains", "at least one chain is required")
		return p
	}
	c.dropDuplicates(chains, "chains")
	for i := 0; i+1 < len(chains.Content); i += 2 {
		key, val := chains.Content[i].Value, chains.Content[i+1]
		cpath := "chains." + key
		var cy chainYAML
		before := len(c.problems)
		c.check(val, reflectTypeOf(&cy), cpath)
		// The strict walk already named every mistyped value; yaml.v3's own
		// error would only repeat it, without the path.
		if err := val.Decode(&cy); err != nil && len(c.problems) == before {
			c.fail(cpath, "%v", err)
		}
		if ch := c.chain(p, key, cpath, &cy); ch != nil {
			p.Chains = append(p.Chains, ch)
		}
	}
	return p
}

// aliased resolves a field that has two accepted names, given as full YAML
// paths. It returns the value and the path it came from, for range checks.
func (c *compiler) aliased(path string, v *int, aliasPath string, av *int, def int) (int, string) {
	switch {
	case v != nil && av != nil:
		c.fail(aliasPath, "give %s or %s, not both", lastKey(path), lastKey(aliasPath))
		return def, path
	case av != nil:
		return *av, aliasPath
	case v != nil:
		return *v, path
	}
	return def, path
}

func lastKey(path string) string { return path[strings.LastIndexByte(path, '.')+1:] }

// has reports whether a problem was already found at or below path.
func (c *compiler) has(path string) bool {
	for _, p := range c.problems {
		if p.Path == path || strings.HasPrefix(p.Path, path+".") || strings.HasPrefix(p.Path, path+"[") {
			return true
		}
	}
	return false
}

func (c *compiler) positive(path string, v int) {
	if v <= 0 {
		c.fail(path, "must be greater than 0, got %d", v)
	}
}

func (c *compiler) nonNegative(path string, v int) {
	if v < 0 {
		c.fail(path, "must be 0 or more, got %d", v)
	}
}

func (c *compiler) within(path string, v, lo, hi int) {
	if v < lo || v > hi {
		c.fail(path, "must be between %d and %d, got %d", lo, hi, v)
	}
}

func orInt(v *int, def int) int {
	if v != nil {
		return *v
	}
	return def
}

func ms(v int) time.Duration { return time.Duration(v) * time.Millisecond }

func (c *compiler) chain(p *Profile, key, path string, cy *chainYAML) *Chain {
	ch := &Chain{Key: key, Name: cy.Name, byID: map[string]*Provider{}}
	if ch.Name == "" {
		ch.Name = key
	}
	if !slugPattern.MatchString(key) {
		c.fail(path, "chain key %q must be lower-case letters, digits, '-' or '_'", key)
	}
	if id, err := strconv.ParseInt(key, 10, 64); err == nil && (cy.ChainID == nil || id != *cy.ChainID) {
		c.fail(path, "a decimal chain key must be the chain's own id, got %q", key)
	}
	switch {
	case cy.ChainID == nil:
		c.fail(path+".chain_id", "is required")
	case *cy.ChainID <= 0:
		c.fail(path+".chain_id", "must be a positive integer, got %d", *cy.ChainID)
	default:
		ch.ID = *cy.ChainID
		if prev, dup := p.byID[ch.ID]; dup {
			c.fail(path+".chain_id", "%d is also the chain id of %q", ch.ID, prev.Key)
		} else {
			p.byID[ch.ID] = ch
		}
		ch.IDHex = []byte(`"0x` + strconv.FormatInt(ch.ID, 16) + `"`)
	}
	c.names(p, ch, path, cy)
	if cy.BlockTimeMS != nil {
		c.within(path+".block_time_ms", *cy.BlockTimeMS, 1, 3_600_000)
		ch.BlockTime = ms(*cy.BlockTimeMS)
	}
	c.monitoring(ch, path, cy.Monitoring)
	c.selection(ch, path, cy.Selection)
	c.websocket(ch, path, cy)
	ch.UI = UI{Color: "#6B7280", Size: "md"}
	if u := cy.UITopology; u != nil {
		if u.Color != "" {
			ch.UI.Color = u.Color
		}
		if u.Size != "" {
			ch.UI.Size = u.Size
		}
		if !slices.Contains([]string{"sm", "md", "lg", "xl"}, ch.UI.Size) {
			c.fail(path+".ui-topology.size", "must be one of sm, md, lg, xl, got %q", ch.UI.Size)
		}
	}
	if len(cy.Providers) == 0 {
		c.fail(path+".providers", "at least one provider is required")
	}
	for i := range cy.Providers {
		ppath := fmt.Sprintf("%s.providers[%d]", path, i)
		if pr := c.provider(p, ch, ppath, &cy.Providers[i]); pr != nil {
			ch.Providers = append(ch.Providers, pr)
		}
	}
	slices.SortStableFunc(ch.Providers, func(a, b *Provider) int { return cmp.Compare(a.Priority, b.Priority) })
	return ch
}

// names registers the chain key and aliases, which share one namespace.
func (c *compiler) names(p *Profile, ch *Chain, path string, cy *chainYAML) {
	aliases, apath := cy.URLAliases, path+".url_aliases"
	if cy.Aliases != nil {
		if cy.URLAliases != nil {
			c.fail(path+".aliases", "give url_aliases or aliases, not both")
		}
		aliases, apath = cy.Aliases, path+".aliases"
	}
	c.register(p, ch, ch.Key, path)
	for i, a := range aliases {
		ap := fmt.Sprintf("%s[%d]", apath, i)
		if a == "" {
			c.fail(ap, "must not be empty")
			continue
		}
		if id, err := strconv.ParseInt(a, 10, 64); err == nil && id != ch.ID {
			c.fail(ap, "decimal alias %q would shadow chain id %d", a, id)
			continue
		}
		if !slugPattern.MatchString(a) {
			c.fail(ap, "alias %q must be lower-case letters, digits, '-' or '_'", a)
			continue
		}
		ch.Aliases = append(ch.Aliases, a)
		c.register(p, ch, a, ap)
	}
}

// routeWords are path segments the routes read as keywords; a chain named
// after one could not be reached by every route form.
var routeWords = map[string]bool{
	"profile": true, "provider": true, "fastest": true, "load-balanced": true,
	"round-robin": true, "latency-weighted": true,
}

func (c *compiler) register(p *Profile, ch *Chain, name, path string) {
	if routeWords[name] {
		c.fail(path, "%q is a route keyword and cannot name a chain", name)
		return
	}
	if prev, dup := p.byName[name]; dup {
		c.fail(path, "%q is already a key or alias of chain %q", name, prev.Key)
		return
	}
	p.byName[name] = ch
}

func (c *compiler) monitoring(ch *Chain, path string, m *monitoringYAML) {
	ch.Monitoring = Monitoring{ProbeInterval: 12 * time.Second, LagAlertThreshold: 3}
	if m == nil {
		return
	}
	path += ".monitoring"
	probe := orInt(m.ProbeIntervalMS, 15000)
	c.within(path+".probe_interval_ms", probe, 100, 3_600_000)
	ch.Monitoring.ProbeInterval = ms(probe)
	lag, at := c.aliased(path+".lag_alert_threshold_blocks", m.LagAlertThresholdBlocks, path+".lag_threshold_blocks", m.LagThresholdBlocks, 3)
	c.nonNegative(at, lag)
	ch.Monitoring.LagAlertThreshold = lag
}

func (c *compiler) selection(ch *Chain, path string, s *selectionYAML) {
	ch.Selection = Selection{MaxLagBlocks: -1, ArchivalThreshold: 128}
	if s == nil {
		return
	}
	if s.MaxLagBlocks != nil {
		c.nonNegative(path+".selection.max_lag_blocks", *s.MaxLagBlocks)
		ch.Selection.MaxLagBlocks = *s.MaxLagBlocks
	}
	ch.Selection.ArchivalThreshold = orInt(s.ArchivalThreshold, 128)
	c.nonNegative(path+".selection.archival_threshold", ch.Selection.ArchivalThreshold)
}

// websocket applies the chain's websocket block, accepting Lasso's legacy
// homes (monitoring.*, a top-level failover block) when the new one is absent.
// Problems name the spelling the file used.
func (c *compiler) websocket(ch *Chain, path string, cy *chainYAML) {
	w, wpath := cy.WebSocket, path+".websocket"
	if w == nil {
		w = &websocketYAML{}
	}
	subscribe := w.SubscribeNewHeads
	timeout, timeoutPath := w.NewHeadsTimeoutMS, wpath+".new_heads_timeout_ms"
	if m := cy.Monitoring; m != nil {
		if m.SubscribeNewHeads != nil {
			if subscribe != nil {
				c.fail(path+".monitoring.subscribe_new_heads", "also set as websocket.subscribe_new_heads; keep one")
			}
			subscribe = m.SubscribeNewHeads
		}
		if m.NewHeadsStalenessThresholdMS != nil {
			if timeout != nil {
				c.fail(path+".monitoring.new_heads_staleness_threshold_ms", "also set as websocket.new_heads_timeout_ms; keep one")
			}
			timeout, timeoutPath = m.NewHeadsStalenessThresholdMS, path+".monitoring.new_heads_staleness_threshold_ms"
		}
	}
	f, fpath := w.Failover, wpath+".failover"
	if cy.Failover != nil {
		if f != nil {
			c.fail(path+".failover", "also set as websocket.failover; keep one")
		}
		f, fpath = cy.Failover, path+".failover"
	}
	if f == nil {
		f = &failoverYAML{}
	}
	timeoutMS := orInt(timeout, 42000)
	c.within(timeoutPath, timeoutMS, 5000, 120000)
	backfill := orInt(f.MaxBackfillBlocks, 100)
	c.within(fpath+".max_backfill_blocks", backfill, 1, 10000)
	backfillMS, at := c.aliased(fpath+".backfill_timeout_ms", f.BackfillTimeoutMS, fpath+".backfill_timeout", f.BackfillTimeout, 30000)
	c.within(at, backfillMS, 5000, 300000)
	ch.WebSocket = WebSocket{
		SubscribeNewHeads: subscribe == nil || *subscribe,
		NewHeadsTimeout:   ms(timeoutMS),
		MaxBackfillBlocks: backfill,
		BackfillTimeout:   ms(backfillMS),
	}
}

func baseName(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		return path[i+1:]
	}
	return path
}
