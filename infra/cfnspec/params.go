package cfnspec

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// param is what a Ref to a parameter needs to know.
type param struct {
	typ     string
	list    bool     // Ref yields a list
	allowed []string // AllowedValues of a single-valued parameter
}

func newParam(n *yaml.Node) *param {
	p := &param{typ: scalarValue(mapValue(n, "Type"))}
	p.list = isListParam(p.typ)
	if av := mapValue(n, "AllowedValues"); av != nil && av.Kind == yaml.SequenceNode && !p.list {
		for _, v := range av.Content {
			p.allowed = append(p.allowed, deref(v).Value)
		}
	}
	return p
}

// paramAttrs are the keys a parameter may have.
var paramAttrs = map[string]bool{
	"Type": true, "Default": true, "AllowedValues": true, "AllowedPattern": true,
	"ConstraintDescription": true, "Description": true, "MaxLength": true,
	"MaxValue": true, "MinLength": true, "MinValue": true, "NoEcho": true,
}

// awsParamTypes are the AWS-specific parameter types, which CloudFormation
// validates against the account; each also exists as List<...>.
var awsParamTypes = []string{
	"AWS::EC2::AvailabilityZone::Name", "AWS::EC2::Image::Id", "AWS::EC2::Instance::Id",
	"AWS::EC2::KeyPair::KeyName", "AWS::EC2::SecurityGroup::GroupName",
	"AWS::EC2::SecurityGroup::Id", "AWS::EC2::Subnet::Id", "AWS::EC2::Volume::Id",
	"AWS::EC2::VPC::Id", "AWS::Route53::HostedZone::Id",
}

// validParamType follows "Parameters: Type" of the CloudFormation guide,
// SSM parameter types included.
func validParamType(t string) bool {
	switch t {
	case "String", "Number", "List<Number>", "CommaDelimitedList", "AWS::SSM::Parameter::Name":
		return true
	}
	if slices.Contains(awsParamTypes, t) {
		return true
	}
	if inner, ok := cutAngle(t, "List"); ok {
		return slices.Contains(awsParamTypes, inner)
	}
	if inner, ok := cutAngle(t, "AWS::SSM::Parameter::Value"); ok {
		return inner == "String" || inner == "List<String>" || inner == "CommaDelimitedList" ||
			(validParamType(inner) && !strings.HasPrefix(inner, "AWS::SSM::") && inner != "Number" && inner != "List<Number>")
	}
	return false
}

// cutAngle returns the X of prefix<X>.
func cutAngle(t, prefix string) (string, bool) {
	rest, ok := strings.CutPrefix(t, prefix+"<")
	if !ok || !strings.HasSuffix(rest, ">") {
		return "", false
	}
	return strings.TrimSuffix(rest, ">"), true
}

// isListParam reports the types whose Ref yields a list.
func isListParam(t string) bool {
	if inner, ok := cutAngle(t, "AWS::SSM::Parameter::Value"); ok {
		t = inner
	}
	return t == "CommaDelimitedList" || strings.HasPrefix(t, "List<")
}

func (c *checker) parameters(n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		c.add(n, "Parameters", "must be a mapping, got %s", describe(n))
		return
	}
	for _, p := range pairs(n) {
		c.parameter(p.key, p.value, key("Parameters", p.key.Value))
	}
}

func (c *checker) parameter(name, n *yaml.Node, path string) {
	if !logicalID.MatchString(name.Value) {
		c.add(name, path, "parameter names must be alphanumeric")
	}
	if n.Kind != yaml.MappingNode {
		c.add(n, path, "must be a mapping, got %s", describe(n))
		return
	}
	for _, p := range pairs(n) {
		at := key(path, p.key.Value)
		switch {
		case !paramAttrs[p.key.Value]:
			c.add(p.key, at, "unknown parameter attribute (known: %s)", strings.Join(sortedKeys(paramAttrs), ", "))
		case p.key.Value == "AllowedValues":
			if p.value.Kind != yaml.SequenceNode {
				c.add(p.value, at, "must be a list, got %s", describe(p.value))
			} else {
				for i, v := range p.value.Content {
					if v = deref(v); v.Kind != yaml.ScalarNode || !isPlainTag(v.Tag) {
						c.add(v, index(at, i), "must be a literal value, got %s", describe(v))
					}
				}
			}
		case p.value.Kind != yaml.ScalarNode || !isPlainTag(p.value.Tag):
			c.add(p.value, at, "must be a literal value, got %s", describe(p.value))
		}
	}
	typeNode := mapValue(n, "Type")
	if typeNode == nil {
		c.add(name, key(path, "Type"), "missing: every parameter needs a Type")
		return
	}
	typ := typeNode.Value
	if !validParamType(typ) {
		c.add(typeNode, key(path, "Type"), "%q is not a CloudFormation parameter type (String, Number, List<Number>, CommaDelimitedList, AWS-specific or SSM types)", typ)
		return
	}
	numeric := typ == "Number" || typ == "List<Number>"
	for _, attr := range []string{"MinLength", "MaxLength", "MinValue", "MaxValue"} {
		v := mapValue(n, attr)
		if v == nil {
			continue
		}
		if _, err := strconv.ParseFloat(v.Value, 64); err != nil {
			c.add(v, key(path, attr), "must be a number, got %s", describe(v))
		}
		if strings.HasSuffix(attr, "Value") != numeric {
			c.add(v, key(path, attr), "does not apply to a %s parameter", typ)
		}
	}
	if numeric {
		for i, v := range mappingSeq(mapValue(n, "AllowedValues")) {
			if _, err := strconv.ParseFloat(v.Value, 64); err != nil {
				c.add(v, index(key(path, "AllowedValues"), i), "a %s parameter allows only numbers, got %s", typ, describe(v))
			}
		}
	}
	pattern := c.allowedPattern(mapValue(n, "AllowedPattern"), key(path, "AllowedPattern"))
	if def := mapValue(n, "Default"); def != nil && def.Kind == yaml.ScalarNode {
		c.paramDefault(n, def, key(path, "Default"), typ, numeric, pattern)
	}
}

func mappingSeq(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, v := range n.Content {
		out[i] = deref(v)
	}
	return out
}

// javaOnly spots regexp syntax Java has and Go's RE2 lacks (lookaround,
// backreferences): such a pattern is not checked rather than misjudged.
var javaOnly = regexp.MustCompile(`\(\?<?[=!]|\\[1-9]`)

// allowedPattern compiles AllowedPattern the way CloudFormation applies it,
// to the whole value.
func (c *checker) allowedPattern(n *yaml.Node, at string) *regexp.Regexp {
	if n == nil || n.Kind != yaml.ScalarNode {
		return nil
	}
	re, err := regexp.Compile(`^(?:` + n.Value + `)$`)
	if err != nil {
		if !javaOnly.MatchString(n.Value) {
			c.add(n, at, "not a valid regular expression: %v", err)
		}
		return nil
	}
	return re
}

// paramDefault checks Default against the parameter's own constraints,
// which CloudFormation applies to it at every deploy that does not
// override it. List defaults are checked item by item.
func (c *checker) paramDefault(n, def *yaml.Node, at, typ string, numeric bool, pattern *regexp.Regexp) {
	values := []string{def.Value}
	if isListParam(typ) {
		values = nil
		if def.Value != "" {
			for _, v := range strings.Split(def.Value, ",") {
				values = append(values, strings.TrimSpace(v))
			}
		}
	}
	allowed := mappingSeq(mapValue(n, "AllowedValues"))
	for _, v := range values {
		if numeric {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				c.add(def, at, "%s is not a number", quote(v))
				continue
			}
			if min := mapValue(n, "MinValue"); min != nil && f < atof(min.Value) {
				c.add(def, at, "%s is below MinValue %s", v, min.Value)
			}
			if max := mapValue(n, "MaxValue"); max != nil && f > atof(max.Value) {
				c.add(def, at, "%s is above MaxValue %s", v, max.Value)
			}
		} else {
			if min := mapValue(n, "MinLength"); min != nil && float64(len(v)) < atof(min.Value) {
				c.add(def, at, "%s is shorter than MinLength %s", quote(v), min.Value)
			}
			if max := mapValue(n, "MaxLength"); max != nil && float64(len(v)) > atof(max.Value) {
				c.add(def, at, "%s is longer than MaxLength %s", quote(v), max.Value)
			}
		}
		if allowed != nil && !slices.ContainsFunc(allowed, func(a *yaml.Node) bool { return sameValue(a.Value, v, numeric) }) {
			names := make([]string, len(allowed))
			for i, a := range allowed {
				names[i] = a.Value
			}
			c.add(def, at, "%s is not in AllowedValues [%s]", quote(v), strings.Join(names, ", "))
		}
		if pattern != nil && !pattern.MatchString(v) {
			c.add(def, at, "%s does not match AllowedPattern %s", quote(v), mapValue(n, "AllowedPattern").Value)
		}
	}
}

func sameValue(a, b string, numeric bool) bool {
	if numeric {
		fa, errA := strconv.ParseFloat(a, 64)
		fb, errB := strconv.ParseFloat(b, 64)
		return errA == nil && errB == nil && fa == fb
	}
	return a == b
}

func atof(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f
}
