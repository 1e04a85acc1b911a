package cfnspec

import "go.yaml.in/yaml/v3"

// Helpers over yaml.Node that tolerate nil and follow aliases, so callers
// can chain lookups without checking every step.

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// pair is one key/value of a mapping.
type pair struct {
	key   *yaml.Node
	value *yaml.Node
}

func pairs(n *yaml.Node) []pair {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	out := make([]pair, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, pair{key: n.Content[i], value: deref(n.Content[i+1])})
	}
	return out
}

// mapValue returns the value under k of a mapping, nil if absent.
func mapValue(n *yaml.Node, k string) *yaml.Node {
	for _, p := range pairs(n) {
		if p.key.Value == k {
			return p.value
		}
	}
	return nil
}

func mappingValues(n *yaml.Node) []*yaml.Node {
	var out []*yaml.Node
	for _, p := range pairs(n) {
		out = append(out, p.value)
	}
	return out
}

// scalarValue returns the first of ns that is a literal scalar (no
// intrinsic tag), "" when none is.
func scalarValue(ns ...*yaml.Node) string {
	for _, n := range ns {
		n = deref(n)
		if n != nil && n.Kind == yaml.ScalarNode && isPlainTag(n.Tag) && n.Value != "" {
			return n.Value
		}
	}
	return ""
}

func isPlainTag(tag string) bool {
	return tag == "" || tag == "!!str" || tag == "!!int" || tag == "!!float" || tag == "!!bool" || tag == "!!null"
}

// isNull reports a YAML null (`~`, `null` or nothing at all).
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// describe names a node's shape for messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.Tag {
	case "!!null":
		return "null"
	case "!!int", "!!float":
		return "number " + n.Value
	case "!!bool":
		return "boolean " + n.Value
	}
	return "string " + quote(n.Value)
}

func quote(s string) string {
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return `"` + s + `"`
}
