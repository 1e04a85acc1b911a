package profile

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a profile file.
type Problem struct {
	File string // path of the file, as given to the loader
	Path string // YAML path, e.g. chains.ethereum.providers[0].url
	Line int    // 1-based line in the file; 0 when unknown
	Msg  string
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	if p.Path != "" {
		b.WriteString(": ")
		b.WriteString(p.Path)
	}
	b.WriteString(": ")
	b.WriteString(p.Msg)
	return b.String()
}

// Problems is every problem found by one load. It is the error Load returns.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return fmt.Sprintf("%d profile problem(s):\n  %s", len(ps), strings.Join(lines, "\n  "))
}
