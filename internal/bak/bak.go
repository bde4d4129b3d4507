// Package bak implements the "boîte à kons": per-session filters that hide
// messages from a reader, by user agent, author or message text.
//
// Matching happens in Go, on the messages themselves, everywhere a list is
// shown (backends, post answers, clock finder, board, live stream), so it is
// the same on every database: the case-sensitive kinds compare exactly and
// the case-insensitive ones compare after Unicode case folding.
package bak

import (
	"slices"
	"strings"

	"golang.org/x/text/cases"

	"github.com/tribune-go/tribune/internal/model"
)

// Targets: what a rule looks at.
const (
	TargetUA      = "ua"      // the identity text (user agent or chosen name)
	TargetAuthor  = "author"  // the registered author's login
	TargetMessage = "message" // the raw message text
)

// Kinds: how a rule compares.
const (
	Contains   = "*="
	IContains  = "|="
	Exact      = "=="
	IExact     = "~="
	StartsWith = "^="
	EndsWith   = "$="
)

// ValidTarget reports whether t is a target.
func ValidTarget(t string) bool {
	return t == TargetUA || t == TargetAuthor || t == TargetMessage
}

// ValidKind reports whether k is a kind.
func ValidKind(k string) bool {
	switch k {
	case Contains, IContains, Exact, IExact, StartsWith, EndsWith:
		return true
	}
	return false
}

// Rule hides the messages whose target matches the pattern.
type Rule struct {
	Target  string `json:"target"`
	Kind    string `json:"kind"`
	Pattern string `json:"pattern"`
}

// MaxRules bounds a session's rules: every list a reader sees runs each
// message through all of them.
const MaxRules = 100

// State is a session's BaK: its rules and whether they apply.
type State struct {
	Active bool   `json:"active"`
	Rules  []Rule `json:"rules,omitempty"`
}

// New returns the state a session starts with: active, no rule.
func New() *State { return &State{Active: true} }

// Has reports whether the rule is there.
func (s *State) Has(r Rule) bool { return slices.Contains(s.Rules, r) }

// Full reports whether the state holds MaxRules rules.
func (s *State) Full() bool { return len(s.Rules) >= MaxRules }

// Add adds a rule unless it is already there or the state is full; it
// reports whether it did.
func (s *State) Add(r Rule) bool {
	if s.Has(r) || s.Full() {
		return false
	}
	s.Rules = append(s.Rules, r)
	return true
}

// SetRules replaces the rules by the first MaxRules of rules (a profile
// edited by hand may hold more).
func (s *State) SetRules(rules []Rule) {
	s.Rules = slices.Clone(rules[:min(len(rules), MaxRules)])
}

// Remove removes a rule if present; it reports whether it did.
func (s *State) Remove(r Rule) bool {
	i := slices.Index(s.Rules, r)
	if i < 0 {
		return false
	}
	s.Rules = slices.Delete(s.Rules, i, i+1)
	return true
}

// Reset clears every rule (as djangotribune's documentation says /bak reset
// does; its code only switched filtering off).
func (s *State) Reset() {
	s.Rules = nil
}

// Filter returns the function that tells whether a message is hidden, or
// nil when nothing is (no state, inactive, or no rule), so callers can keep
// their fast path. The function is for one goroutine (it holds a case
// folder, which is stateful).
func (s *State) Filter() func(*model.Message) bool {
	if s == nil || !s.Active || len(s.Rules) == 0 {
		return nil
	}
	folder := cases.Fold()
	ms := make([]matcher, len(s.Rules))
	for i, r := range s.Rules {
		ms[i] = matcher{target: r.Target, kind: r.Kind, pat: r.Pattern}
		if r.Kind == IContains || r.Kind == IExact {
			ms[i].folded = true
			ms[i].pat = folder.String(r.Pattern)
		}
	}
	return func(m *model.Message) bool {
		for i := range ms {
			if ms[i].match(m, folder) {
				return true
			}
		}
		return false
	}
}

type matcher struct {
	target string
	kind   string
	folded bool
	pat    string
}

func (mt *matcher) match(m *model.Message, folder cases.Caser) bool {
	var v string
	switch mt.target {
	case TargetUA:
		v = m.Info
	case TargetAuthor:
		// Anonymous messages never match an author rule.
		if m.Login == "" {
			return false
		}
		v = m.Login
	case TargetMessage:
		v = m.Raw
	default:
		return false
	}
	if mt.folded {
		v = folder.String(v)
	}
	switch mt.kind {
	case Contains, IContains:
		return strings.Contains(v, mt.pat)
	case Exact, IExact:
		return v == mt.pat
	case StartsWith:
		return strings.HasPrefix(v, mt.pat)
	case EndsWith:
		return strings.HasSuffix(v, mt.pat)
	}
	return false
}
