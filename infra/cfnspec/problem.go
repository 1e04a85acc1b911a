package cfnspec

import (
	"fmt"
	"strconv"
)

// Problem is one way the template breaks the spec or CloudFormation's rules.
type Problem struct {
	Line int    // 1-based line in the template
	Path string // e.g. Resources.RedisCache.Properties.Engine
	Msg  string
}

func (p Problem) String() string {
	return fmt.Sprintf("line %d: %s: %s", p.Line, p.Path, p.Msg)
}

// Paths name mapping keys with dots and sequence items with [i]; an
// intrinsic function appears as its long name (Fn::If), whichever form the
// template used, so one path names one place in both forms.
func key(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func index(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}
