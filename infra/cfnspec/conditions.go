package cfnspec

import "go.yaml.in/yaml/v3"

// conditions checks each condition: built only from Fn::Equals, Fn::And,
// Fn::Or, Fn::Not and Condition, over parameters (never resources), with
// no condition depending on itself.
func (c *checker) conditions(n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		c.add(n, "Conditions", "must be a mapping, got %s", describe(n))
		return
	}
	c.inConditions = true
	defer func() { c.inConditions = false }()
	for _, p := range pairs(n) {
		path := key("Conditions", p.key.Value)
		if !logicalID.MatchString(p.key.Value) {
			c.add(p.key, path, "condition names must be alphanumeric")
		}
		c.condition(p.value, path)
		if c.cyclic(p.key.Value, p.key.Value, map[string]bool{}) {
			c.add(p.key, path, "the condition depends on itself")
		}
	}
}

// conditionCall recognises a condition function, including the long form
// {Condition: Name}, which is only one inside Conditions.
func conditionCall(n *yaml.Node) (string, *yaml.Node, bool) {
	if fn, arg, ok := intrinsic(n); ok {
		return fn, arg, true
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value == "Condition" {
		return "Condition", deref(n.Content[1]), true
	}
	return "", nil, false
}

func (c *checker) condition(n *yaml.Node, path string) {
	n = deref(n)
	fn, arg, ok := conditionCall(n)
	if !ok {
		c.add(n, path, "want a condition function (Fn::Equals, Fn::And, Fn::Or, Fn::Not, Condition), got %s", describe(n))
		return
	}
	at := key(path, fn)
	switch fn {
	case "Fn::Equals":
		if args := c.args(arg, at, fn, 2, 2); args != nil {
			c.value(args[0], index(at, 0), stringType, false)
			c.value(args[1], index(at, 1), stringType, false)
		}
	case "Fn::And", "Fn::Or":
		if args := c.args(arg, at, fn, 2, 10); args != nil {
			for i, a := range args {
				c.condition(a, index(at, i))
			}
		}
	case "Fn::Not":
		if args := c.args(arg, at, fn, 1, 1); args != nil {
			c.condition(args[0], index(at, 0))
		}
	case "Condition":
		c.conditionName(arg, at)
	default:
		c.add(n, at, "%s is not a condition function (want Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition)", fn)
	}
}

// cyclic reports whether condition name reaches target through Condition
// references.
func (c *checker) cyclic(target, name string, seen map[string]bool) bool {
	if seen[name] {
		return false
	}
	seen[name] = true
	for _, dep := range conditionRefs(c.t.conditions[name], nil) {
		if dep == target || c.cyclic(target, dep, seen) {
			return true
		}
	}
	return false
}

func conditionRefs(n *yaml.Node, out []string) []string {
	n = deref(n)
	if n == nil {
		return out
	}
	if fn, arg, ok := conditionCall(n); ok && fn == "Condition" {
		return append(out, arg.Value)
	}
	for _, child := range n.Content {
		out = conditionRefs(child, out)
	}
	return out
}
