package cfnspec

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// pseudoParams are the names CloudFormation defines in every stack.
var pseudoParams = map[string]yieldKind{
	"AWS::AccountId": yScalar, "AWS::NotificationARNs": yList, "AWS::NoValue": yNoValue,
	"AWS::Partition": yScalar, "AWS::Region": yScalar, "AWS::StackId": yScalar,
	"AWS::StackName": yScalar, "AWS::URLSuffix": yScalar,
}

// ref resolves a Ref: a list parameter yields a list, any other parameter
// or a resource a single value.
func (c *checker) ref(arg *yaml.Node, at string) yield {
	if arg.Kind != yaml.ScalarNode || !isPlainTag(arg.Tag) {
		c.add(arg, at, "Ref takes a name, got %s", describe(arg))
		return yield{kind: yAny}
	}
	name := arg.Value
	if p, ok := c.t.params[name]; ok {
		if p.list {
			return yield{kind: yList}
		}
		return yield{kind: yScalar, allowed: p.allowed}
	}
	if k, ok := pseudoParams[name]; ok {
		return yield{kind: k}
	}
	if strings.HasPrefix(name, "AWS::") {
		c.add(arg, at, "unknown pseudo parameter %s (known: %s)", name, strings.Join(sortedKeys(pseudoParams), ", "))
		return yield{kind: yAny}
	}
	if c.isResource(name) || c.isFunctionAlias(name) {
		if c.inConditions {
			c.add(arg, at, "conditions may Ref only parameters, not the resource %s", name)
		}
		return yield{kind: yScalar}
	}
	c.add(arg, at, "Ref names %q, which is no parameter, pseudo parameter or resource", name)
	return yield{kind: yAny}
}

// isFunctionAlias accepts SAM's <Function>.Alias and <Function>.Version,
// which exist once the function has AutoPublishAlias.
func (c *checker) isFunctionAlias(name string) bool {
	id, suffix, ok := strings.Cut(name, ".")
	if !ok || (suffix != "Alias" && suffix != "Version") {
		return false
	}
	r := c.t.resources[id]
	return r != nil && r.cfnType == "AWS::Serverless::Function" &&
		(mapValue(r.props, "AutoPublishAlias") != nil || mapValue(c.t.globals["Function"], "AutoPublishAlias") != nil)
}

// getAtt checks both forms, "Resource.Attr.Path" and [Resource, Attr].
func (c *checker) getAtt(arg *yaml.Node, at string) yield {
	var res, attr string
	var attrNode = arg
	switch {
	case arg.Kind == yaml.ScalarNode && isPlainTag(arg.Tag):
		var ok bool
		if res, attr, ok = strings.Cut(arg.Value, "."); !ok {
			c.add(arg, at, "Fn::GetAtt takes Resource.Attribute, got %s", describe(arg))
			return yield{kind: yAny}
		}
	case arg.Kind == yaml.SequenceNode && len(arg.Content) == 2:
		r, a := deref(arg.Content[0]), deref(arg.Content[1])
		if r.Kind != yaml.ScalarNode || !isPlainTag(r.Tag) {
			c.add(r, index(at, 0), "must name a resource literally, got %s", describe(r))
			return yield{kind: yAny}
		}
		res, attrNode = r.Value, a
		if a.Kind == yaml.ScalarNode && isPlainTag(a.Tag) {
			attr = a.Value
		} else {
			// The attribute comes from a Ref to a parameter: only its
			// arguments can be checked now.
			c.value(a, index(at, 1), stringType, false)
		}
	default:
		c.add(arg, at, "Fn::GetAtt takes Resource.Attribute or [Resource, Attribute], got %s", describe(arg))
		return yield{kind: yAny}
	}
	return c.attribute(attrNode, at, res, attr)
}

// attribute checks that resource res exists and has attribute attr ("" when
// not literal), and returns what the attribute yields.
func (c *checker) attribute(n *yaml.Node, at, res, attr string) yield {
	if c.inConditions {
		c.add(n, at, "conditions may not use Fn::GetAtt: resources do not exist yet when they are evaluated")
		return yield{kind: yAny}
	}
	var cfnType string
	if r, ok := c.t.resources[res]; ok {
		cfnType = r.cfnType
	} else if imp, ok := c.t.implicit[res]; ok {
		cfnType = imp.cfnType
	} else {
		if _, isParam := c.t.params[res]; isParam {
			c.add(n, at, "%s is a parameter; Fn::GetAtt needs a resource", res)
		} else {
			c.add(n, at, "Fn::GetAtt names %q, which is not a resource", res)
		}
		return yield{kind: yAny}
	}
	if attr == "" || isCustom(cfnType) {
		return yield{kind: yAny}
	}
	attrs := c.attributes(cfnType)
	if attrs == nil {
		return yield{kind: yAny} // the type itself is unknown and reported
	}
	if a, ok := attrs[attr]; ok {
		return attrYield(a.Type)
	}
	// A nested stack's outputs are its attributes: Outputs.<Name>.
	if _, ok := attrs["Outputs"]; ok && strings.HasPrefix(attr, "Outputs.") {
		return yield{kind: yScalar}
	}
	names := sortedKeys(attrs)
	list := strings.Join(names, ", ")
	if len(names) == 0 {
		list = "none"
	}
	c.add(n, at, "%s (%s) has no attribute %q (has: %s)", res, cfnType, attr, list)
	return yield{kind: yAny}
}

// attributes returns a type's GetAtt attributes; a SAM type also has those
// of the resource SAM generates under its logical ID. nil for an unknown
// type.
func (c *checker) attributes(cfnType string) map[string]*Attribute {
	spec := c.spec.Resources[cfnType]
	if spec == nil {
		return nil
	}
	gen := c.spec.Resources[samGenerates[cfnType]]
	if gen == nil {
		return spec.Attributes
	}
	out := map[string]*Attribute{}
	for k, v := range gen.Attributes {
		out[k] = v
	}
	for k, v := range spec.Attributes {
		out[k] = v
	}
	return out
}

func attrYield(t *Type) yield {
	switch t.Kind {
	case "array":
		return yield{kind: yList}
	case "string", "integer", "number", "boolean", "date-time":
		return yield{kind: yScalar}
	}
	return yield{kind: yAny}
}

// sub checks Fn::Sub: every ${Name} names a variable, parameter, pseudo
// parameter or resource, and every ${Resource.Attr} an attribute; ${!...}
// is a literal. A list parameter cannot be substituted into a string.
func (c *checker) sub(arg *yaml.Node, at string) {
	str := arg
	vars := map[string]bool{}
	strAt := at
	if arg.Kind == yaml.SequenceNode {
		args := c.args(arg, at, "Fn::Sub", 2, 2)
		if args == nil {
			return
		}
		str, strAt = args[0], index(at, 0)
		if args[1].Kind != yaml.MappingNode {
			c.add(args[1], index(at, 1), "Fn::Sub's variables must be a mapping, got %s", describe(args[1]))
		}
		for _, p := range pairs(args[1]) {
			vars[p.key.Value] = true
			c.value(p.value, key(index(at, 1), p.key.Value), stringType, false)
		}
	}
	if str.Kind != yaml.ScalarNode || !isPlainTag(str.Tag) {
		c.add(str, strAt, "Fn::Sub takes a literal string, got %s", describe(str))
		return
	}
	for _, name := range subNames(str.Value) {
		if vars[name] {
			continue
		}
		ref := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: name, Line: str.Line, Column: str.Column}
		if res, attr, ok := strings.Cut(name, "."); ok && !strings.HasPrefix(name, "AWS::") {
			if _, isParam := c.t.params[res]; !isParam {
				c.attribute(ref, strAt, res, attr)
				continue
			}
		}
		switch y := c.ref(ref, strAt); y.kind {
		case yList:
			c.add(str, strAt, "${%s} is a list; Fn::Sub substitutes only single values (Fn::Join it first)", name)
		case yNoValue:
			c.add(str, strAt, "${AWS::NoValue} cannot be substituted")
		}
	}
}

// subNames returns the ${...} names of a Fn::Sub string, skipping ${!...}.
func subNames(s string) []string {
	var out []string
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return out
		}
		s = s[i+2:]
		j := strings.Index(s, "}")
		if j < 0 {
			return out
		}
		if name := strings.TrimSpace(s[:j]); name != "" && !strings.HasPrefix(s, "!") {
			out = append(out, name)
		}
		s = s[j+1:]
	}
}

// findInMap checks the map's name and, when all keys are literal, that the
// entry exists; it yields a list when the entry is one.
func (c *checker) findInMap(arg *yaml.Node, at string) yield {
	args := c.args(arg, at, "Fn::FindInMap", 3, 4)
	if args == nil {
		return yield{kind: yAny}
	}
	if len(args) == 4 {
		c.needsTransform(arg, at, "Fn::FindInMap with a DefaultValue", "AWS::LanguageExtensions")
		c.anyValue(args[3], index(at, 3))
	}
	literal := true
	for i, a := range args[:3] {
		c.value(a, index(at, i), stringType, false)
		if a.Kind != yaml.ScalarNode || !isPlainTag(a.Tag) {
			literal = false
		}
	}
	name := args[0]
	m, ok := c.t.mappings[name.Value]
	if name.Kind == yaml.ScalarNode && isPlainTag(name.Tag) && !ok {
		c.add(name, index(at, 0), "no mapping %q under Mappings", name.Value)
		return yield{kind: yAny}
	}
	if !literal || len(args) == 4 {
		return yield{kind: yAny}
	}
	top := mapValue(m, args[1].Value)
	if top == nil {
		c.add(args[1], index(at, 1), "mapping %s has no key %q", name.Value, args[1].Value)
		return yield{kind: yAny}
	}
	v := mapValue(top, args[2].Value)
	if v == nil {
		c.add(args[2], index(at, 2), "mapping %s.%s has no key %q", name.Value, args[1].Value, args[2].Value)
		return yield{kind: yAny}
	}
	if v.Kind == yaml.SequenceNode {
		return yield{kind: yList}
	}
	return yield{kind: yScalar}
}
