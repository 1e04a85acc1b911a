package cfnspec

import (
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// shortTags maps YAML's short forms to the long names.
var shortTags = map[string]string{
	"!Ref": "Ref", "!Sub": "Fn::Sub", "!GetAtt": "Fn::GetAtt", "!If": "Fn::If",
	"!Join": "Fn::Join", "!Select": "Fn::Select", "!Split": "Fn::Split",
	"!Equals": "Fn::Equals", "!Not": "Fn::Not", "!And": "Fn::And", "!Or": "Fn::Or",
	"!Condition": "Condition", "!FindInMap": "Fn::FindInMap", "!Base64": "Fn::Base64",
	"!GetAZs": "Fn::GetAZs", "!ImportValue": "Fn::ImportValue", "!Cidr": "Fn::Cidr",
	"!Transform": "Fn::Transform",
}

// intrinsic recognises a function call in either form and returns its long
// name and argument. An unknown short tag is returned as itself, for
// intrinsicValue to report.
func intrinsic(n *yaml.Node) (fn string, arg *yaml.Node, ok bool) {
	if n == nil {
		return "", nil, false
	}
	if name, known := shortTags[n.Tag]; known {
		cp := *n
		switch n.Kind {
		case yaml.SequenceNode:
			cp.Tag = "!!seq"
		case yaml.MappingNode:
			cp.Tag = "!!map"
		default:
			cp.Tag = "!!str"
		}
		return name, &cp, true
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return n.Tag, n, true
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 {
		if k := n.Content[0].Value; k == "Ref" || strings.HasPrefix(k, "Fn::") {
			return k, deref(n.Content[1]), true
		}
	}
	return "", nil, false
}

// yieldKind is what an intrinsic produces, as far as the spec's types care.
type yieldKind int

const (
	yScalar  yieldKind = iota // a string or number
	yList                     // a list of strings
	yAny                      // unknown: accept whatever is expected
	yNoValue                  // AWS::NoValue: the property vanishes
)

type yield struct {
	kind    yieldKind
	allowed []string // a parameter's AllowedValues, when Ref names one
}

// intrinsicValue checks a function call and that what it yields fits t.
func (c *checker) intrinsicValue(fn string, arg, n *yaml.Node, path string, t *Type, required bool) {
	at := key(path, fn)
	if fn == "Fn::If" {
		c.ifValue(arg, at, t, required)
		return
	}
	y := c.eval(fn, arg, n, at)
	switch {
	case y.kind == yNoValue:
		if required {
			c.add(n, path, "AWS::NoValue would remove a required property")
		}
	case t == nil || y.kind == yAny:
	case !accepts(t, y.kind):
		what := "a single value"
		if y.kind == yList {
			what = "a list"
		}
		c.add(n, path, "%s yields %s where %s is wanted", fn, what, typeName(t))
	case len(y.allowed) > 0 && len(t.Allowed) > 0:
		// A parameter whose AllowedValues reach past the property's would
		// let a deploy pick a value CloudFormation then rejects.
		for _, v := range y.allowed {
			if !slices.Contains(t.Allowed, canonical(t, v)) {
				c.add(n, path, "the parameter allows %s, which this property does not (allowed: %s)", quote(v), strings.Join(t.Allowed, ", "))
			}
		}
	}
}

// accepts reports whether a value of kind y can stand where t is wanted.
func accepts(t *Type, y yieldKind) bool {
	switch t.Kind {
	case "json":
		return true
	case "string", "integer", "number", "boolean", "date-time":
		return y == yScalar
	case "array":
		return y == yList
	case "union":
		for _, m := range t.Members {
			if accepts(m, y) {
				return true
			}
		}
	}
	return false
}

// ifValue checks Fn::If's condition and both branches against t.
func (c *checker) ifValue(arg *yaml.Node, at string, t *Type, required bool) {
	args := c.args(arg, at, "Fn::If", 3, 3)
	if args == nil {
		return
	}
	c.conditionName(args[0], index(at, 0))
	c.value(args[1], index(at, 1), t, required)
	c.value(args[2], index(at, 2), t, required)
}

// eval checks one function's arguments and returns what it yields.
func (c *checker) eval(fn string, arg, n *yaml.Node, at string) yield {
	switch fn {
	case "Ref":
		return c.ref(arg, at)
	case "Fn::GetAtt":
		return c.getAtt(arg, at)
	case "Fn::Sub":
		c.sub(arg, at)
	case "Fn::Join":
		if args := c.args(arg, at, fn, 2, 2); args != nil {
			c.literalString(args[0], index(at, 0), "the delimiter")
			c.value(args[1], index(at, 1), stringList, false)
		}
	case "Fn::Select":
		if args := c.args(arg, at, fn, 2, 2); args != nil {
			c.value(args[0], index(at, 0), integerType, false)
			c.value(args[1], index(at, 1), stringList, false)
		}
	case "Fn::Split":
		if args := c.args(arg, at, fn, 2, 2); args != nil {
			c.literalString(args[0], index(at, 0), "the delimiter")
			c.value(args[1], index(at, 1), stringType, false)
		}
		return yield{kind: yList}
	case "Fn::GetAZs":
		c.value(arg, at, stringType, false)
		return yield{kind: yList}
	case "Fn::Cidr":
		if args := c.args(arg, at, fn, 3, 3); args != nil {
			c.value(args[0], index(at, 0), stringType, false)
			c.value(args[1], index(at, 1), integerType, false)
			c.value(args[2], index(at, 2), integerType, false)
		}
		return yield{kind: yList}
	case "Fn::Base64", "Fn::ImportValue":
		c.value(arg, at, stringType, false)
	case "Fn::FindInMap":
		return c.findInMap(arg, at)
	case "Fn::Length", "Fn::ToJsonString":
		c.needsTransform(n, at, fn, "AWS::LanguageExtensions")
		c.anyValue(arg, at)
	case "Fn::Transform":
		c.anyValue(arg, at)
		return yield{kind: yAny}
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition":
		c.add(n, at, "%s belongs in Conditions; elsewhere use Fn::If with a condition's name", fn)
		return yield{kind: yAny}
	default:
		c.add(n, at, "unknown intrinsic function %s", fn)
		return yield{kind: yAny}
	}
	return yield{kind: yScalar}
}

var (
	integerType = &Type{Kind: "integer"}
	stringList  = &Type{Kind: "array", Element: stringType}
)

// args returns a function's list argument when it has min..max items.
func (c *checker) args(arg *yaml.Node, at, fn string, min, max int) []*yaml.Node {
	if arg.Kind != yaml.SequenceNode || len(arg.Content) < min || len(arg.Content) > max {
		want := "a list of " + strconv.Itoa(min)
		if max != min {
			want += " to " + strconv.Itoa(max)
		}
		got := describe(arg)
		if arg.Kind == yaml.SequenceNode {
			got += " of " + strconv.Itoa(len(arg.Content))
		}
		c.add(arg, at, "%s takes %s arguments, got %s", fn, want, got)
		return nil
	}
	out := make([]*yaml.Node, len(arg.Content))
	for i, a := range arg.Content {
		out[i] = deref(a)
	}
	return out
}

func (c *checker) literalString(n *yaml.Node, at, what string) {
	if n.Kind != yaml.ScalarNode || !isPlainTag(n.Tag) {
		c.add(n, at, "%s must be a literal string, got %s", what, describe(n))
	}
}

func (c *checker) needsTransform(n *yaml.Node, at, fn, transform string) {
	if !c.t.transforms[transform] {
		c.add(n, at, "%s needs `Transform: %s`", fn, transform)
	}
}

// conditionName checks that n names a condition under Conditions.
func (c *checker) conditionName(n *yaml.Node, at string) {
	n = deref(n)
	if n.Kind != yaml.ScalarNode || !isPlainTag(n.Tag) {
		c.add(n, at, "must name a condition literally, got %s", describe(n))
		return
	}
	if _, ok := c.t.conditions[n.Value]; !ok {
		c.add(n, at, "no condition %q under Conditions", n.Value)
	}
}
