package profile

import (
	"errors"
	"strings"
)

// Lookup returns an environment variable, like os.LookupEnv. It is passed in
// so that tests and the AWS loader (Secrets Manager) supply their own.
type Lookup func(name string) (string, bool)

var errUnterminated = errors.New("unterminated ${")

// expand replaces ${NAME} from lookup. It returns the names it could not
// resolve and the values it substituted, which are secrets by construction:
// nobody puts a public value in an environment variable referenced by a URL.
func expand(s string, lookup Lookup) (out string, missing, values []string, err error) {
	if !strings.Contains(s, "${") {
		return s, nil, nil, nil
	}
	var b strings.Builder
	for {
		start := strings.Index(s, "${")
		if start < 0 {
			b.WriteString(s)
			return b.String(), missing, values, nil
		}
		end := strings.IndexByte(s[start:], '}')
		if end < 0 {
			return "", nil, nil, errUnterminated
		}
		name := s[start+2 : start+end]
		b.WriteString(s[:start])
		if v, ok := lookup(name); ok && validVarName(name) {
			b.WriteString(v)
			values = append(values, v)
		} else {
			missing = append(missing, "${"+name+"}")
		}
		s = s[start+end+1:]
	}
}

func validVarName(name string) bool {
	if name == "" {
		return false
	}
	for i, c := range name {
		if c != '_' && (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}
