package cfnspec

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// sections are the top-level keys CloudFormation accepts; Globals only
// with the SAM transform.
var sections = map[string]bool{
	"AWSTemplateFormatVersion": true, "Description": true, "Metadata": true,
	"Parameters": true, "Rules": true, "Mappings": true, "Conditions": true,
	"Transform": true, "Resources": true, "Outputs": true, "Globals": true,
}

// logicalID is CloudFormation's rule for parameter, condition, resource and
// output names.
var logicalID = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// template is the parsed template with its name tables.
type template struct {
	params        map[string]*param
	conditions    map[string]*yaml.Node
	mappings      map[string]*yaml.Node
	resources     map[string]*resource
	resourceOrder []string
	globals       map[string]*yaml.Node // Globals section name -> mapping
	implicit      map[string]implicit
	transforms    map[string]bool
}

type resource struct {
	cfnType string
	props   *yaml.Node // the Properties mapping, nil when absent
	spec    *Resource  // nil for custom and unknown types
}

// checker collects problems while walking one template.
type checker struct {
	spec     *Spec
	t        *template
	problems []Problem
	// inConditions is set while walking Conditions, where only parameters
	// exist: no resource may be named.
	inConditions bool
}

func (c *checker) add(n *yaml.Node, path, format string, args ...any) {
	c.problems = append(c.problems, Problem{Line: n.Line, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// Check returns every problem it finds in a CloudFormation/SAM template,
// in template order. A template that does not parse yields one problem.
func Check(src []byte, spec *Spec) []Problem {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return []Problem{{Line: 1, Path: "(template)", Msg: "not YAML: " + err.Error()}}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || deref(doc.Content[0]).Kind != yaml.MappingNode {
		return []Problem{{Line: 1, Path: "(template)", Msg: "the template is not a mapping"}}
	}
	root := deref(doc.Content[0])
	c := &checker{spec: spec}
	c.duplicateKeys(root, "")
	c.t = c.index(root)
	for _, p := range pairs(root) {
		switch p.key.Value {
		case "AWSTemplateFormatVersion":
			if p.value.Kind != yaml.ScalarNode || p.value.Value != "2010-09-09" {
				c.add(p.value, p.key.Value, `must be "2010-09-09", the only version CloudFormation knows`)
			}
		case "Description":
			if p.value.Kind != yaml.ScalarNode {
				c.add(p.value, p.key.Value, "must be a string, got %s", describe(p.value))
			}
		case "Parameters":
			c.parameters(p.value)
		case "Conditions":
			c.conditions(p.value)
		case "Mappings":
			c.mappingsSection(p.value)
		case "Globals":
			c.globalsSection(p.value)
		case "Resources":
			c.resourcesSection(p.value)
		case "Outputs":
			c.outputs(p.value)
		case "Transform", "Metadata", "Rules":
			// Transform was read by index; Metadata is free-form; Rules
			// (assertions for Service Catalog) are not checked.
		default:
			c.add(p.key, p.key.Value, "unknown top-level section (known: %s)", strings.Join(sortedKeys(sections), ", "))
		}
	}
	if mapValue(root, "Resources") == nil {
		c.add(root, "Resources", "missing: a template needs at least one resource")
	}
	sort.SliceStable(c.problems, func(i, j int) bool { return c.problems[i].Line < c.problems[j].Line })
	return c.problems
}

// index builds the name tables before any check, so a Ref may name what
// comes later in the file.
func (c *checker) index(root *yaml.Node) *template {
	t := &template{
		params:     map[string]*param{},
		conditions: map[string]*yaml.Node{},
		mappings:   map[string]*yaml.Node{},
		resources:  map[string]*resource{},
		globals:    map[string]*yaml.Node{},
		transforms: map[string]bool{},
	}
	tr := mapValue(root, "Transform")
	if tr != nil && tr.Kind == yaml.SequenceNode {
		for _, n := range tr.Content {
			t.transforms[deref(n).Value] = true
		}
	} else if tr != nil {
		t.transforms[tr.Value] = true
	}
	for _, p := range pairs(mapValue(root, "Parameters")) {
		t.params[p.key.Value] = newParam(p.value)
	}
	for _, p := range pairs(mapValue(root, "Conditions")) {
		t.conditions[p.key.Value] = p.value
	}
	for _, p := range pairs(mapValue(root, "Mappings")) {
		t.mappings[p.key.Value] = p.value
	}
	for _, p := range pairs(mapValue(root, "Globals")) {
		t.globals[p.key.Value] = p.value
	}
	for _, p := range pairs(mapValue(root, "Resources")) {
		typ := scalarValue(mapValue(p.value, "Type"))
		r := &resource{cfnType: typ, props: mapValue(p.value, "Properties"), spec: c.spec.Resources[typ]}
		t.resources[p.key.Value] = r
		t.resourceOrder = append(t.resourceOrder, p.key.Value)
	}
	t.implicit = samImplicit(t)
	return t
}

// duplicateKeys reports a key given twice in one mapping: YAML parsers
// disagree on which one wins, and CloudFormation rejects the template.
func (c *checker) duplicateKeys(n *yaml.Node, path string) {
	switch n.Kind {
	case yaml.MappingNode:
		seen := map[string]bool{}
		for _, p := range pairs(n) {
			if seen[p.key.Value] {
				c.add(p.key, key(path, p.key.Value), "duplicate key")
			}
			seen[p.key.Value] = true
			c.duplicateKeys(p.value, key(path, p.key.Value))
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			c.duplicateKeys(deref(item), index(path, i))
		}
	}
}

func (c *checker) mappingsSection(n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		c.add(n, "Mappings", "must be a mapping, got %s", describe(n))
		return
	}
	for _, m := range pairs(n) {
		path := key("Mappings", m.key.Value)
		if m.value.Kind != yaml.MappingNode {
			c.add(m.value, path, "a mapping's value must be a mapping of top-level keys, got %s", describe(m.value))
			continue
		}
		for _, top := range pairs(m.value) {
			if top.value.Kind != yaml.MappingNode {
				c.add(top.value, key(path, top.key.Value), "must be a mapping of second-level keys, got %s", describe(top.value))
			}
		}
	}
}

func (c *checker) outputs(n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		c.add(n, "Outputs", "must be a mapping, got %s", describe(n))
		return
	}
	for _, o := range pairs(n) {
		path := key("Outputs", o.key.Value)
		if !logicalID.MatchString(o.key.Value) {
			c.add(o.key, path, "output names must be alphanumeric")
		}
		if o.value.Kind != yaml.MappingNode {
			c.add(o.value, path, "must be a mapping, got %s", describe(o.value))
			continue
		}
		for _, p := range pairs(o.value) {
			at := key(path, p.key.Value)
			switch p.key.Value {
			case "Description":
				c.value(p.value, at, stringType, false)
			case "Value":
				// Outputs are strings: a list must be joined first.
				c.value(p.value, at, stringType, true)
			case "Export":
				c.object(p.value, at, exportProps, "Export", nil)
			case "Condition":
				c.conditionName(p.value, at)
			default:
				c.add(p.key, at, "unknown output attribute (known: Description, Value, Export, Condition)")
			}
		}
		if mapValue(o.value, "Value") == nil {
			c.add(o.key, key(path, "Value"), "missing: every output needs a Value")
		}
	}
}

var stringType = &Type{Kind: "string"}

var exportProps = map[string]*Property{"Name": {Type: stringType, Required: true}}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
