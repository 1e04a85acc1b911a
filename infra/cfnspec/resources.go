package cfnspec

import (
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// resourceAttrs are the keys a resource entry may have besides Type and
// Properties. IgnoreGlobals and Connectors are SAM's.
var resourceAttrs = map[string]bool{
	"Type": true, "Properties": true, "DependsOn": true, "Condition": true,
	"Metadata": true, "DeletionPolicy": true, "UpdateReplacePolicy": true,
	"CreationPolicy": true, "UpdatePolicy": true,
	"IgnoreGlobals": true, "Connectors": true,
}

var deletionPolicies = []string{"Delete", "Retain", "RetainExceptOnCreate", "Snapshot"}

func (c *checker) resourcesSection(n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		c.add(n, "Resources", "must be a mapping, got %s", describe(n))
		return
	}
	for _, p := range pairs(n) {
		c.resource(p.key, p.value, key("Resources", p.key.Value))
	}
}

func (c *checker) resource(name, n *yaml.Node, path string) {
	if !logicalID.MatchString(name.Value) {
		c.add(name, path, "logical IDs must be alphanumeric")
	}
	if _, clash := c.t.params[name.Value]; clash {
		c.add(name, path, "a parameter has the same name: Ref could not tell them apart")
	}
	if n.Kind != yaml.MappingNode {
		c.add(n, path, "must be a mapping, got %s", describe(n))
		return
	}
	for _, p := range pairs(n) {
		at := key(path, p.key.Value)
		switch {
		case !resourceAttrs[p.key.Value]:
			c.add(p.key, at, "unknown resource attribute (known: %s)", strings.Join(sortedKeys(resourceAttrs), ", "))
		case p.key.Value == "Condition":
			c.conditionName(p.value, at)
		case p.key.Value == "DependsOn":
			c.dependsOn(name.Value, p.value, at)
		case p.key.Value == "DeletionPolicy" || p.key.Value == "UpdateReplacePolicy":
			if p.value.Kind != yaml.ScalarNode || !slices.Contains(deletionPolicies, p.value.Value) {
				c.add(p.value, at, "must be one of %s, got %s", strings.Join(deletionPolicies, ", "), describe(p.value))
			}
		}
	}
	typeNode := mapValue(n, "Type")
	if typeNode == nil {
		c.add(name, key(path, "Type"), "missing: every resource needs a Type")
		return
	}
	r := c.t.resources[name.Value]
	typePath := key(path, "Type")
	props := mapValue(n, "Properties")
	propsPath := key(path, "Properties")
	if props != nil && props.Kind != yaml.MappingNode {
		c.add(props, propsPath, "must be a mapping, got %s", describe(props))
		return
	}
	switch {
	case r.cfnType == "":
		c.add(typeNode, typePath, "must be a literal resource type, got %s", describe(typeNode))
	case isCustom(r.cfnType):
		// A custom resource's properties are its Lambda's business; only
		// ServiceToken is CloudFormation's.
		if mapValue(props, "ServiceToken") == nil {
			c.add(name, key(propsPath, "ServiceToken"), "missing required property of a custom resource")
		}
		c.anyValue(props, propsPath)
	case r.spec == nil:
		c.add(typeNode, typePath, "resource type %s is not in the CloudFormation spec%s", r.cfnType, c.suggestType(r.cfnType))
		c.anyValue(props, propsPath)
	default:
		if r.spec.Transform != "" && !c.t.transforms[r.spec.Transform] {
			c.add(typeNode, typePath, "%s needs `Transform: %s`", r.cfnType, r.spec.Transform)
		}
		var globals *yaml.Node
		if section, ok := strings.CutPrefix(r.cfnType, "AWS::Serverless::"); ok && !ignoresGlobals(n) {
			globals = c.t.globals[section]
		}
		if props == nil {
			props = &yaml.Node{Kind: yaml.MappingNode, Line: name.Line}
		}
		c.object(props, propsPath, r.spec.Properties, r.cfnType, globals)
	}
}

// ignoresGlobals reports SAM's IgnoreGlobals: "*" or a list of names. A
// list still takes the other globals; treating it as all of them only
// makes the required-property check stricter.
func ignoresGlobals(n *yaml.Node) bool {
	return mapValue(n, "IgnoreGlobals") != nil
}

func isCustom(t string) bool {
	return strings.HasPrefix(t, "Custom::") || t == "AWS::CloudFormation::CustomResource"
}

// suggestType names the spec type closest to a misspelt one.
func (c *checker) suggestType(t string) string {
	// At most three edits away; ties go to the first name in order, so
	// the suggestion does not depend on map iteration.
	best, bestD := "", 3
	for name := range c.spec.Resources {
		d := distance(strings.ToLower(t), strings.ToLower(name), bestD+1)
		if d < bestD || (d == bestD && (best == "" || name < best)) {
			best, bestD = name, d
		}
	}
	if best == "" {
		return ""
	}
	return " (did you mean " + best + "?)"
}

func (c *checker) dependsOn(self string, n *yaml.Node, path string) {
	names := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		names = n.Content
	}
	for i, d := range names {
		d = deref(d)
		at := path
		if n.Kind == yaml.SequenceNode {
			at = index(path, i)
		}
		if d.Kind != yaml.ScalarNode || !isPlainTag(d.Tag) {
			c.add(d, at, "must name a resource literally, got %s", describe(d))
			continue
		}
		if d.Value == self {
			c.add(d, at, "a resource cannot depend on itself")
		} else if !c.isResource(d.Value) {
			c.add(d, at, "DependsOn names %q, which is not a resource", d.Value)
		}
	}
}

func (c *checker) isResource(name string) bool {
	_, ok := c.t.resources[name]
	_, imp := c.t.implicit[name]
	return ok || imp
}

// globalsSection checks each Globals section against the properties of the
// SAM type it feeds. Values are checked as written; SAM merges them into
// each resource, and the resource check counts them toward required ones.
func (c *checker) globalsSection(n *yaml.Node) {
	if !c.t.transforms[samTransform] {
		c.add(n, "Globals", "Globals needs `Transform: %s`", samTransform)
	}
	if n.Kind != yaml.MappingNode {
		c.add(n, "Globals", "must be a mapping, got %s", describe(n))
		return
	}
	for _, p := range pairs(n) {
		path := key("Globals", p.key.Value)
		res := c.spec.Resources["AWS::Serverless::"+p.key.Value]
		if !slices.Contains(samGlobals, p.key.Value) || res == nil {
			c.add(p.key, path, "unknown Globals section (known: %s)", strings.Join(samGlobals, ", "))
			continue
		}
		if p.value.Kind != yaml.MappingNode {
			c.add(p.value, path, "must be a mapping, got %s", describe(p.value))
			continue
		}
		c.properties(p.value, path, res.Properties, res.Type)
	}
}

// distance is the Levenshtein distance of a and b, or max when it is at
// least max (enough to rank suggestions).
func distance(a, b string, max int) int {
	if d := len(a) - len(b); d >= max || -d >= max {
		return max
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= max {
			return max
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], max)
}
