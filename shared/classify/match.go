package classify

import (
	"fmt"
	"sort"
)

// maxMessage bounds how much of a message is read: a provider may send a
// page of HTML or a stack trace, and the patterns that matter come early.
const maxMessage = 4096

// lower folds ASCII upper case; every other byte is itself.
var lower = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if i >= 'A' && i <= 'Z' {
			t[i] = byte(i) + 'a' - 'A'
		}
	}
	return t
}()

// hasPrefixFold reports whether s starts with p, ASCII case-insensitively.
func hasPrefixFold(s, p string) bool {
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if lower[s[i]] != lower[p[i]] {
			return false
		}
	}
	return true
}

// containsFold reports whether s contains p, ASCII case-insensitively. An
// empty p is never contained: a rule with an empty string must not match
// everything.
func containsFold(s, p string) bool {
	if p == "" {
		return false
	}
	first := lower[p[0]]
	for i := 0; i+len(p) <= len(s); i++ {
		if lower[s[i]] == first && hasPrefixFold(s[i:], p) {
			return true
		}
	}
	return false
}

// entry is one pattern in the index, with its group's priority.
type entry struct {
	text, unless string
	group        uint8
}

// matcher finds the highest-priority group with a pattern in a message in
// one pass: every pattern is filed under its first two bytes, so each
// position of the message costs one array lookup and, rarely, a comparison.
type matcher struct {
	slot    [1 << 16]uint16 // two lower-case bytes -> 1 + bucket index; 0 = none
	buckets [][]entry       // each sorted by group
	cats    []Category      // group -> category
}

const noGroup = 255

// messages is built once from messageGroups and never changed.
var messages = newMatcher(messageGroups)

func newMatcher(groups []group) *matcher {
	if len(groups) >= noGroup {
		panic("classify: too many pattern groups")
	}
	m := &matcher{}
	for g, grp := range groups {
		m.cats = append(m.cats, grp.category)
		for _, p := range grp.patterns {
			if err := checkPattern(p.text); err != nil {
				panic(fmt.Sprintf("classify: group %q: %v", grp.name, err))
			}
			k := uint16(p.text[0])<<8 | uint16(p.text[1])
			if m.slot[k] == 0 {
				m.buckets = append(m.buckets, nil)
				m.slot[k] = uint16(len(m.buckets))
			}
			b := m.slot[k] - 1
			m.buckets[b] = append(m.buckets[b], entry{text: p.text, unless: p.unless, group: uint8(g)})
		}
	}
	for _, b := range m.buckets {
		sort.SliceStable(b, func(i, j int) bool { return b[i].group < b[j].group })
	}
	return m
}

// checkPattern keeps the data honest: lower-case ASCII, at least two bytes.
func checkPattern(p string) error {
	if len(p) < 2 {
		return fmt.Errorf("pattern %q: shorter than two bytes", p)
	}
	for i := 0; i < len(p); i++ {
		if p[i] >= 0x80 || lower[p[i]] != p[i] {
			return fmt.Errorf("pattern %q: not lower-case ASCII", p)
		}
	}
	return nil
}

// match returns the category of the highest-priority group with a pattern
// in msg, or false.
func (m *matcher) match(msg string) (Category, bool) {
	if len(msg) > maxMessage {
		msg = msg[:maxMessage]
	}
	best := uint8(noGroup)
	for i := 0; i+1 < len(msg) && best > 0; i++ {
		s := m.slot[uint16(lower[msg[i]])<<8|uint16(lower[msg[i+1]])]
		if s == 0 {
			continue
		}
		for _, e := range m.buckets[s-1] {
			if e.group >= best {
				break
			}
			if hasPrefixFold(msg[i:], e.text) && (e.unless == "" || !containsFold(msg, e.unless)) {
				best = e.group
				break
			}
		}
	}
	if best == noGroup {
		return "", false
	}
	return m.cats[best], true
}
