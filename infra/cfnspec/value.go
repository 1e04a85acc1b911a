package cfnspec

import (
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// value checks a node against the type a property expects. t nil means
// anything goes (json); required says whether the property may vanish
// through AWS::NoValue.
func (c *checker) value(n *yaml.Node, path string, t *Type, required bool) {
	n = deref(n)
	if n == nil {
		return
	}
	if fn, arg, ok := intrinsic(n); ok {
		c.intrinsicValue(fn, arg, n, path, t, required)
		return
	}
	if t == nil || t.Kind == "json" {
		c.anyValue(n, path)
		return
	}
	if isNull(n) && t.Kind != "null" {
		c.add(n, path, "null value: CloudFormation rejects it; leave the key out or use !Ref AWS::NoValue")
		return
	}
	switch t.Kind {
	case "string", "integer", "number", "boolean", "date-time":
		c.scalar(n, path, t)
	case "null":
		if !isNull(n) {
			c.add(n, path, "want null, got %s", describe(n))
		}
	case "array":
		if n.Kind != yaml.SequenceNode {
			c.add(n, path, "want %s, got %s", typeName(t), describe(n))
			return
		}
		for i, item := range n.Content {
			c.value(item, index(path, i), t.Element, false)
		}
	case "map":
		if n.Kind != yaml.MappingNode {
			c.add(n, path, "want %s, got %s", typeName(t), describe(n))
			return
		}
		for _, p := range pairs(n) {
			c.value(p.value, key(path, p.key.Value), t.Element, false)
		}
	case "tag":
		c.object(n, path, tagProps, "Tag", nil)
	case "ref":
		c.object(n, path, t.Def.Properties, t.Def.Name, nil)
	case "union":
		c.union(n, path, t)
	}
}

// tagProps is the spec's "tag" type: CloudFormation's {Key, Value}.
var tagProps = map[string]*Property{
	"Key":   {Type: stringType, Required: true},
	"Value": {Type: stringType, Required: true},
}

// scalar checks a literal against a scalar type. CloudFormation converts
// between scalars: a number is a fine string, and "30" or "true" in quotes
// are a fine integer and boolean.
func (c *checker) scalar(n *yaml.Node, path string, t *Type) {
	if n.Kind != yaml.ScalarNode {
		c.add(n, path, "want %s, got %s", typeName(t), describe(n))
		return
	}
	v := n.Value
	switch t.Kind {
	case "integer":
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			c.add(n, path, "want an integer, got %s", describe(n))
			return
		}
	case "number":
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			c.add(n, path, "want a number, got %s", describe(n))
			return
		}
	case "boolean":
		if n.Tag != "!!bool" && v != "true" && v != "false" {
			c.add(n, path, "want a boolean (true or false), got %s", describe(n))
			return
		}
	}
	if len(t.Allowed) > 0 && !slices.Contains(t.Allowed, canonical(t, v)) {
		c.add(n, path, "%s is not an allowed value (allowed: %s)", quote(v), strings.Join(t.Allowed, ", "))
	}
}

// canonical writes a numeric literal the way the spec writes its allowed
// values ("30", not "30.0"), so they compare as strings.
func canonical(t *Type, v string) string {
	if t.Kind == "integer" || t.Kind == "number" {
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return strconv.FormatFloat(f, 'f', -1, 64)
		}
	}
	return v
}

// object checks a mapping against a structure's properties: each key must
// be one, each value must fit, the required ones must be there. globals,
// when given, holds SAM Globals that count toward the required ones.
func (c *checker) object(n *yaml.Node, path string, props map[string]*Property, name string, globals *yaml.Node) {
	n = deref(n)
	if fn, arg, ok := intrinsic(n); ok {
		c.intrinsicValue(fn, arg, n, path, &Type{Kind: "ref", Def: &TypeDef{Name: name, Properties: props}}, false)
		return
	}
	if n.Kind != yaml.MappingNode {
		c.add(n, path, "want %s (a mapping), got %s", name, describe(n))
		return
	}
	c.properties(n, path, props, name)
	for _, pname := range sortedKeys(props) {
		if props[pname].Required && mapValue(n, pname) == nil && mapValue(globals, pname) == nil {
			c.add(n, key(path, pname), "missing required property of %s", name)
		}
	}
}

// properties checks a mapping's keys and values, not which are missing
// (Globals hold a subset on purpose).
func (c *checker) properties(n *yaml.Node, path string, props map[string]*Property, name string) {
	for _, p := range pairs(n) {
		at := key(path, p.key.Value)
		prop := props[p.key.Value]
		if prop == nil {
			c.add(p.key, at, "%s has no property %q%s", name, p.key.Value, suggest(p.key.Value, props))
			continue
		}
		t := propType(prop)
		if p.key.Value == "Properties" && t.Kind == "union" {
			t = eventMember(t, scalarValue(mapValue(n, "Type")))
		}
		c.value(p.value, at, t, prop.Required)
	}
}

// propType is the property's type, or the union of it and its previous
// types, which CloudFormation still accepts.
func propType(p *Property) *Type {
	if len(p.Previous) == 0 {
		return p.Type
	}
	return &Type{Kind: "union", Members: append([]*Type{p.Type}, p.Previous...)}
}

// eventMember picks, for SAM's EventSource {Type, Properties}, the member
// of the Properties union that Type names (Type HttpApi -> HttpApiEvent),
// so a mistake is reported against the right event type rather than as
// "fits none of 14 types". Without a match the union stands.
func eventMember(t *Type, eventType string) *Type {
	for _, m := range t.Members {
		if m.Kind == "ref" && eventType != "" && m.Def.Name == eventType+"Event" {
			return m
		}
	}
	return t
}

// union accepts a value that fits any member. Otherwise it reports the
// problems of the member that came closest among those of the value's
// shape (mapping, list or scalar).
func (c *checker) union(n *yaml.Node, path string, t *Type) {
	var best []Problem
	for _, m := range t.Members {
		probs := c.try(func() { c.value(n, path, m, false) })
		if len(probs) == 0 {
			return
		}
		if shapeFits(n, m) && (best == nil || len(probs) < len(best)) {
			best = probs
		}
	}
	if best == nil {
		c.add(n, path, "want %s, got %s", typeName(t), describe(n))
		return
	}
	c.problems = append(c.problems, best...)
}

// try runs f and returns the problems it found, without keeping them.
func (c *checker) try(f func()) []Problem {
	mark := len(c.problems)
	f()
	probs := slices.Clone(c.problems[mark:])
	c.problems = c.problems[:mark]
	return probs
}

func shapeFits(n *yaml.Node, t *Type) bool {
	switch t.Kind {
	case "json":
		return true
	case "array":
		return n.Kind == yaml.SequenceNode
	case "map", "ref", "tag":
		return n.Kind == yaml.MappingNode
	case "union":
		return slices.ContainsFunc(t.Members, func(m *Type) bool { return shapeFits(n, m) })
	}
	return n.Kind == yaml.ScalarNode
}

// anyValue walks a value of any type, checking only its intrinsics (their
// names and arguments).
func (c *checker) anyValue(n *yaml.Node, path string) {
	n = deref(n)
	if n == nil {
		return
	}
	if fn, arg, ok := intrinsic(n); ok {
		c.intrinsicValue(fn, arg, n, path, nil, false)
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		for _, p := range pairs(n) {
			c.anyValue(p.value, key(path, p.key.Value))
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			c.anyValue(item, index(path, i))
		}
	}
}

// typeName describes a type for messages.
func typeName(t *Type) string {
	switch t.Kind {
	case "array":
		return "a list of " + typeName(t.Element)
	case "map":
		return "a map of " + typeName(t.Element)
	case "ref":
		return t.Def.Name
	case "tag":
		return "a Tag {Key, Value}"
	case "union":
		names := make([]string, len(t.Members))
		for i, m := range t.Members {
			names[i] = typeName(m)
		}
		return "one of (" + strings.Join(names, " | ") + ")"
	case "json":
		return "any JSON"
	}
	s := t.Kind
	if len(t.Allowed) > 0 {
		s += " in [" + strings.Join(t.Allowed, ", ") + "]"
	}
	return s
}

// suggest names a property that differs from a wrong name only in case or
// by up to two edits.
func suggest(name string, props map[string]*Property) string {
	best, bestD := "", 3
	for _, p := range sortedKeys(props) {
		if d := distance(strings.ToLower(name), strings.ToLower(p), bestD); d < bestD {
			best, bestD = p, d // strictly closer: the sorted order breaks ties
		}
	}
	if best == "" {
		return ""
	}
	return " (did you mean " + best + "?)"
}
