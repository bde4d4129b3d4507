package markup

import (
	"bufio"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"
)

// LabelRule names the links whose URL matches Pattern. Pattern is a Go
// regular expression, unanchored (it may match anywhere in the URL). Label
// is the text shown between brackets; when Pattern has capture groups,
// $1, ${1} or ${name} in Label are replaced by the captured text ($$ is a
// dollar), otherwise Label is used as is.
type LabelRule struct {
	Pattern, Label string
}

// DefaultLabels returns djangotribune's substitution list, in its order
// (the first matching rule wins). Each call returns a fresh slice.
//
// The patterns are the original Python ones, which carry over to Go
// unchanged: as there, an unescaped '.' matches any character, so
// ".tar.gz" also matches "xtarygz".
func DefaultLabels() []LabelRule {
	return []LabelRule{
		{`.tar.gz`, "tgz"},
		{`.tgz`, "tgz"},
		{`.(zip|rpm|deb|tgz)$`, "${1}"},
		{`.pdf`, "pdf"},
		{`http://localhost`, "localhost"},
		{`wikipedia.org/wiki/(.*)`, "${1}@wikipedia"},
		{`youtube.com`, "youtube"},
		{`dailymotion.com`, "dailymotion"},
		{`bashfr.org`, "bashfr"},
		{`imdb.com`, "imdb"},
		{`google.`, "google"},
		{`yahoo.`, "yahoo"},
		{`lemonde.fr`, "lemonde"},
		{`liberation.fr`, "libe"},
		{`lefigaro.fr`, "lefigaro"},
		{`journaldunet.`, "jdn"},
		{`01net.com`, "01net"},
		{`forum.hardware`, "hfr"},
		{`linuxfr.org`, "Dlfp"},
		{`goatse`, "pas cliquer!"},
		{`goat.cx`, "pas cliquer!"},
		{`glazman.org`, "yerk pas cliquer!"},
		{`.ssz.fr`, "pas cliquer non plus!"},
		{`wiki`, "wiki"},
		{`wickedweasel`, "WW"},
		{`slashdot.org`, "/."},
		{`osnews.com`, "osnews"},
		{`zdnet.`, "zdnet"},
		{`ruby`, "ruby"},
		{`/goomi/unspeakable`, "Fhtagn!"},
		{`http://(.*).free.fr`, "${1}@free"},
	}
}

// ParseLabels reads a label table written by an operator, one rule per
// line:
//
//	PATTERN<TAB>LABEL
//
// The line is split at its first TAB; pattern and label are taken
// literally (no trimming). Empty lines, lines of blanks and lines whose
// first non-blank character is '#' are ignored (write `\#` to start a
// pattern with '#'). The rules keep the file's order. An empty file gives
// an empty, non-nil table: links then only get the [url] / [scheme]
// defaults.
func ParseLabels(r io.Reader) ([]LabelRule, error) {
	rules := []LabelRule{}
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSuffix(sc.Text(), "\r")
		trimmed := strings.TrimLeft(line, " \t")
		if trimmed == "" || trimmed[0] == '#' {
			continue
		}
		pattern, label, ok := strings.Cut(line, "\t")
		if !ok {
			return nil, fmt.Errorf("markup: labels line %d: no TAB between pattern and label", n)
		}
		rule := LabelRule{Pattern: pattern, Label: label}
		if err := checkRule(rule); err != nil {
			return nil, fmt.Errorf("markup: labels line %d: %w", n, err)
		}
		rules = append(rules, rule)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("markup: reading labels: %w", err)
	}
	return rules, nil
}

func checkRule(r LabelRule) error {
	if r.Pattern == "" {
		return fmt.Errorf("empty pattern")
	}
	if r.Label == "" {
		return fmt.Errorf("empty label for pattern %q", r.Pattern)
	}
	if !utf8.ValidString(r.Label) || Sanitize(r.Label) != r.Label {
		return fmt.Errorf("label %q holds characters a message cannot hold", r.Label)
	}
	if _, err := regexp.Compile(r.Pattern); err != nil {
		return fmt.Errorf("bad pattern %q: %w", r.Pattern, err)
	}
	return nil
}

// labeler is a compiled label table.
type labeler struct {
	rules []compiledRule
}

type compiledRule struct {
	re     *regexp.Regexp
	label  string
	expand bool // the pattern has capture groups
	// need lists literals that every match contains: for each clause, at
	// least one of its strings must occur in the URL. Checking them with
	// strings.Contains skips the regular expression for almost every rule.
	need [][]string
}

func newLabeler(rules []LabelRule) (*labeler, error) {
	l := &labeler{rules: make([]compiledRule, 0, len(rules))}
	for i, r := range rules {
		if err := checkRule(r); err != nil {
			return nil, fmt.Errorf("markup: label rule %d: %w", i+1, err)
		}
		re := regexp.MustCompile(r.Pattern) // checked above
		cr := compiledRule{re: re, label: r.Label, expand: re.NumSubexp() > 0}
		if parsed, err := syntax.Parse(r.Pattern, syntax.Perl); err == nil {
			cr.need = requiredLiterals(parsed)
		}
		l.rules = append(l.rules, cr)
	}
	return l, nil
}

// label returns the label of url (without brackets): the first matching
// rule's, else "url" for http and the scheme name otherwise.
func (l *labeler) label(scheme, u string) string {
	for i := range l.rules {
		r := &l.rules[i]
		if !r.mayMatch(u) {
			continue
		}
		if !r.expand {
			// MatchString does not allocate; the submatch indices
			// are only needed to fill a template.
			if r.re.MatchString(u) {
				return r.label
			}
			continue
		}
		if m := r.re.FindStringSubmatchIndex(u); m != nil {
			return r.expandLabel(u, m)
		}
	}
	if scheme == "http" {
		return "url"
	}
	return scheme
}

// labelSlow is label without the literal pre-check; the tests and the fuzz
// target compare both.
func (l *labeler) labelSlow(scheme, u string) string {
	for i := range l.rules {
		r := &l.rules[i]
		if m := r.re.FindStringSubmatchIndex(u); m != nil {
			if !r.expand {
				return r.label
			}
			return r.expandLabel(u, m)
		}
	}
	if scheme == "http" {
		return "url"
	}
	return scheme
}

func (r *compiledRule) mayMatch(u string) bool {
	for _, clause := range r.need {
		found := false
		for _, lit := range clause {
			if strings.Contains(u, lit) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// requiredLiterals computes the need clauses of a parsed pattern. It only
// has to be sound (every match satisfies the clauses), not complete: a
// node it does not understand requires nothing.
func requiredLiterals(re *syntax.Regexp) [][]string {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 || len(re.Rune) == 0 {
			return nil
		}
		return [][]string{{string(re.Rune)}}
	case syntax.OpConcat:
		var out [][]string
		for _, sub := range re.Sub {
			out = append(out, requiredLiterals(sub)...)
		}
		return out
	case syntax.OpCapture, syntax.OpPlus:
		return requiredLiterals(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredLiterals(re.Sub[0])
		}
	case syntax.OpAlternate:
		// Each branch needs one of its own literals, so the
		// alternation needs one of the union.
		var union []string
		for _, sub := range re.Sub {
			best := bestClause(requiredLiterals(sub))
			if best == nil {
				return nil
			}
			union = append(union, best...)
		}
		return [][]string{union}
	}
	return nil
}

// bestClause picks the most selective clause: the one with fewest
// alternatives, then the longest shortest literal.
func bestClause(clauses [][]string) []string {
	var best []string
	bestMin := 0
	for _, c := range clauses {
		m := len(c[0])
		for _, s := range c {
			m = min(m, len(s))
		}
		if best == nil || len(c) < len(best) || len(c) == len(best) && m > bestMin {
			best, bestMin = c, m
		}
	}
	return best
}

// expandLabel fills $1, ${1}, $name, ${name} and $$ in the label, as
// regexp.Expand does, but percent-decodes each captured text when that
// gives clean UTF-8: a link to wiki/T%C3%A9l%C3%A9phone is labelled
// [Téléphone@wikipedia].
func (r *compiledRule) expandLabel(u string, m []int) string {
	tmpl := r.label
	var b strings.Builder
	b.Grow(len(tmpl) + len(u))
	for {
		i := strings.IndexByte(tmpl, '$')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:i])
		tmpl = tmpl[i+1:]
		if strings.HasPrefix(tmpl, "$") {
			b.WriteByte('$')
			tmpl = tmpl[1:]
			continue
		}
		var name string
		if strings.HasPrefix(tmpl, "{") {
			j := strings.IndexByte(tmpl, '}')
			if j < 0 {
				b.WriteByte('$')
				continue
			}
			name, tmpl = tmpl[1:j], tmpl[j+1:]
		} else {
			j := 0
			for j < len(tmpl) && isBouchotChar(tmpl[j]) {
				j++
			}
			if j == 0 {
				b.WriteByte('$')
				continue
			}
			name, tmpl = tmpl[:j], tmpl[j:]
		}
		b.WriteString(decodeCapture(r.group(u, m, name)))
	}
}

func (r *compiledRule) group(u string, m []int, name string) string {
	n := -1
	if name != "" && isAllDigits(name) {
		n = 0
		for i := range len(name) {
			n = n*10 + int(name[i]-'0')
			if n > len(m) {
				return ""
			}
		}
	} else {
		n = r.re.SubexpIndex(name)
	}
	if n < 0 || 2*n+1 >= len(m) || m[2*n] < 0 {
		return ""
	}
	return u[m[2*n]:m[2*n+1]]
}

func isAllDigits(s string) bool {
	for i := range len(s) {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// decodeCapture percent-decodes a captured URL part for display, keeping
// it as typed when it does not decode to clean text.
func decodeCapture(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	d, err := url.PathUnescape(s)
	if err != nil || !utf8.ValidString(d) || Sanitize(d) != d {
		return s
	}
	return d
}

// truncateLabel is the TRIBUNE_SHOW_TRUNCATED_URL label: the URL without
// its leading "scheme://", cut like Django 1.4's truncatechars(100) (the
// first 97 characters and "...", combining marks not counted).
func truncateLabel(u, scheme string) string {
	rest := u[len(scheme)+len("://"):]
	const limit, keep = 100, 97
	n, cut := 0, -1
	for i, r := range rest {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		n++
		if n == keep+1 {
			cut = i
		}
		if n > limit {
			return rest[:cut] + "..."
		}
	}
	return rest
}
