package profile

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// LoadDir loads every profile file of dir: each *.yml whose name does not
// start with "." or "_", in name order. The error, if any, is Problems.
func LoadDir(dir string, lookup Lookup) (*Config, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, Problems{{File: dir, Msg: fmt.Sprintf("cannot read profiles directory: %v", err)}}
	}
	files := map[string][]byte{}
	var problems Problems
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".yml") || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			continue
		}
		path := filepath.Join(dir, name)
		data, err := os.ReadFile(path)
		if err != nil {
			problems = append(problems, Problem{File: path, Msg: err.Error()})
			continue
		}
		files[path] = data
	}
	if len(files) == 0 && len(problems) == 0 {
		return nil, Problems{{File: dir, Msg: "no profile files (*.yml)"}}
	}
	cfg, err := Load(files, lookup)
	if err != nil {
		problems = append(problems, err.(Problems)...)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return cfg, nil
}

// Load builds a Config from file contents keyed by path. The slug of each
// file must equal its base name without ".yml".
func Load(files map[string][]byte, lookup Lookup) (*Config, error) {
	cfg := &Config{profiles: map[string]*Profile{}}
	var problems Problems
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	secrets := map[string]bool{}
	for _, path := range paths {
		p, ps := parseFile(path, files[path], lookup, secrets)
		problems = append(problems, ps...)
		if p == nil || len(ps) > 0 {
			continue
		}
		if prev, dup := cfg.profiles[p.Slug]; dup {
			problems = append(problems, Problem{File: path, Path: "slug", Line: p.slugLine, Msg: fmt.Sprintf("slug %q is also used by %s", p.Slug, prev.File)})
			continue
		}
		cfg.profiles[p.Slug] = p
		cfg.order = append(cfg.order, p)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	slices.SortFunc(cfg.order, func(a, b *Profile) int { return strings.Compare(a.Slug, b.Slug) })
	for s := range secrets {
		cfg.secrets = append(cfg.secrets, s)
	}
	// Longest first, so that scrubbing a key never leaves part of a longer one.
	slices.SortFunc(cfg.secrets, func(a, b string) int { return len(b) - len(a) })
	return cfg, nil
}

// parseFile decodes and compiles one file. secrets collects secret values.
func parseFile(path string, data []byte, lookup Lookup, secrets map[string]bool) (*Profile, Problems) {
	front, bodyYAML, bodyLine, hasFront := splitFrontmatter(data)
	s := &strict{file: path, lines: map[string]int{}}
	var meta frontmatter
	var b body
	if hasFront {
		s.lineOffset = 1
		decodeStrict(s, front, &meta)
		s.lineOffset = bodyLine
		decodeStrict(s, bodyYAML, &b)
	} else {
		var lf legacyFile
		decodeStrict(s, bodyYAML, &lf)
		meta, b = lf.frontmatter, lf.body
		if meta.Slug == "" {
			meta.Slug = DefaultProfile
		}
	}
	if s.broken {
		return nil, s.problems // the rest would only be guesses about a file we could not read
	}
	c := &compiler{strict: s, lookup: lookup, secrets: secrets}
	p := c.profile(path, meta, &b)
	return p, c.problems
}

// decodeStrict checks the document against v's type, then decodes it.
func decodeStrict(s *strict, doc []byte, v any) {
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(doc))
	if err := dec.Decode(&root); err != nil && err != io.EOF {
		s.syntaxError(err)
		return
	}
	var extra yaml.Node
	if dec.Decode(&extra) != io.EOF {
		s.add(&extra, "", "a second YAML document (another '---' line) is not allowed")
		return
	}
	if len(root.Content) == 0 {
		return // empty document
	}
	n := root.Content[0]
	before := len(s.problems)
	s.check(n, reflectTypeOf(v), "")
	// Decode even after problems: mistyped fields stay zero and the rest of
	// the file is still checked, so one run lists everything.
	if err := n.Decode(v); err != nil && len(s.problems) == before {
		s.add(n, "", "%v", err)
	}
}

// splitFrontmatter separates "---\n<front>\n---\n<body>". bodyLine is the
// number of file lines before the body, to report body lines as file lines.
func splitFrontmatter(data []byte) (front, body []byte, bodyLine int, ok bool) {
	if !bytes.HasPrefix(data, []byte("---\n")) && !bytes.HasPrefix(data, []byte("---\r\n")) {
		return nil, data, 0, false
	}
	rest := data[bytes.IndexByte(data, '\n')+1:]
	for off := 0; off < len(rest); {
		nl := bytes.IndexByte(rest[off:], '\n')
		line := rest[off:]
		if nl >= 0 {
			line = rest[off : off+nl]
		}
		if string(bytes.TrimRight(line, " \r")) == "---" {
			front = rest[:off]
			body = nil
			if nl >= 0 {
				body = rest[off+nl+1:]
			}
			return front, body, bytes.Count(data[:len(data)-len(body)], []byte("\n")), true
		}
		if nl < 0 {
			break
		}
		off += nl + 1
	}
	return nil, data, 0, false // no closing line: treat the whole file as YAML
}

func reflectTypeOf(v any) reflect.Type { return reflect.TypeOf(v).Elem() }
