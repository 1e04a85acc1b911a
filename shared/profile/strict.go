package profile

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// strict walks a YAML node beside the Go type it will decode into and records
// every unknown key and every value of the wrong shape, with its YAML path.
// yaml.v3's own KnownFields stops at the first problem and knows no paths;
// operators need them all at once.
type strict struct {
	broken     bool // a YAML syntax error: nothing more can be checked
	lineOffset int  // lines before the YAML document inside the file
	problems   []Problem
	lines      map[string]int // YAML path -> line, for later validation messages
	file       string
}

type shapeChecker interface{ shapeOK(*yaml.Node) bool }

var shapeCheckerType = reflect.TypeFor[shapeChecker]()

func (s *strict) add(n *yaml.Node, path, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line + s.lineOffset
	}
	s.problems = append(s.problems, Problem{File: s.file, Path: path, Line: line, Msg: fmt.Sprintf(format, args...)})
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// syntaxError records a YAML parse error at its line in the file (yaml.v3
// counts from the start of the document it was given).
func (s *strict) syntaxError(err error) {
	s.broken = true
	msg := err.Error()
	line := 0
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		line += s.lineOffset
		msg = msg[len(m[0]):]
	}
	s.problems = append(s.problems, Problem{File: s.file, Line: line, Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")})
}

func (s *strict) check(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	s.lines[path] = n.Line + s.lineOffset
	if n.Tag == "!!null" {
		return // null leaves the field at its default
	}
	if t.Implements(shapeCheckerType) {
		if !reflect.Zero(t).Interface().(shapeChecker).shapeOK(n) {
			s.add(n, path, "must be a string or a list of strings")
		}
		for i, c := range n.Content {
			s.lines[path+"["+strconv.Itoa(i)+"]"] = c.Line + s.lineOffset
		}
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		s.check(n, t.Elem(), path)
	case reflect.Interface:
		// free-form (credentials, ignored fields)
	case reflect.Struct:
		if t == reflect.TypeFor[yaml.Node]() {
			return
		}
		if n.Kind != yaml.MappingNode {
			s.add(n, path, "must be a mapping")
			return
		}
		fields := yamlFields(t)
		s.dropDuplicates(n, path)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			ft, ok := fields[k.Value]
			if !ok {
				s.add(k, join(path, k.Value), "unknown key %q (allowed: %s)", k.Value, allowed(fields))
				continue
			}
			s.check(v, ft, join(path, k.Value))
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			s.add(n, path, "must be a list")
			return
		}
		for i, c := range n.Content {
			s.check(c, t.Elem(), path+"["+strconv.Itoa(i)+"]")
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			s.add(n, path, "must be a mapping")
			return
		}
		s.dropDuplicates(n, path)
		for i := 0; i+1 < len(n.Content); i += 2 {
			s.check(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value))
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			s.add(n, path, "must be a string")
		}
	case reflect.Int, reflect.Int64:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			s.add(n, path, "must be an integer, got %q", short(n))
		}
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			s.add(n, path, "must be true or false, got %q", short(n))
		}
	}
}

// dropDuplicates reports a key given twice in one mapping and removes the
// later pair: yaml.v3 refuses the whole mapping otherwise, and every field of
// it would then look missing.
func (s *strict) dropDuplicates(n *yaml.Node, path string) {
	seen := map[string]bool{}
	kept := n.Content[:0]
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if seen[k.Value] {
			s.add(k, join(path, k.Value), "key %q is given twice", k.Value)
			continue
		}
		seen[k.Value] = true
		kept = append(kept, k, n.Content[i+1])
	}
	n.Content = kept
}

func short(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode {
		return strings.TrimPrefix(n.Tag, "!!")
	}
	if len(n.Value) > 40 {
		return n.Value[:40] + "..."
	}
	return n.Value
}

// yamlFields maps YAML keys to field types, following inline structs.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if opts == "inline" {
			for k, v := range yamlFields(f.Type) {
				fields[k] = v
			}
			continue
		}
		if name != "" && name != "-" {
			fields[name] = f.Type
		}
	}
	return fields
}

func allowed(fields map[string]reflect.Type) string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return strings.Join(keys, ", ")
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
