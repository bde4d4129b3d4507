package bak_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/tribune-go/tribune/internal/bak"
	"github.com/tribune-go/tribune/internal/model"
)

func hides(t *testing.T, r bak.Rule, m *model.Message) bool {
	t.Helper()
	s := bak.New()
	s.Add(r)
	f := s.Filter()
	if f == nil {
		t.Fatalf("no filter for %+v", r)
	}
	return f(m)
}

func TestKindsAndTargets(t *testing.T) {
	registered := &model.Message{Info: "Mozilla/5.0 Firefox", Login: "Superman", Raw: "Hello World"}
	anonymous := &model.Message{Info: "Mozilla/5.0 Firefox", Raw: "Hello World"}
	tests := []struct {
		target, kind, pattern string
		m                     *model.Message
		hidden                bool
	}{
		// *= contains, case-sensitive.
		{bak.TargetUA, bak.Contains, "Firefox", registered, true},
		{bak.TargetUA, bak.Contains, "firefox", registered, false},
		{bak.TargetAuthor, bak.Contains, "perm", registered, true},
		{bak.TargetAuthor, bak.Contains, "PERM", registered, false},
		{bak.TargetMessage, bak.Contains, "o W", registered, true},
		{bak.TargetMessage, bak.Contains, "o w", registered, false},
		// |= contains, case-insensitive.
		{bak.TargetUA, bak.IContains, "FIREFOX", registered, true},
		{bak.TargetUA, bak.IContains, "chrome", registered, false},
		{bak.TargetAuthor, bak.IContains, "PERM", registered, true},
		{bak.TargetAuthor, bak.IContains, "batman", registered, false},
		{bak.TargetMessage, bak.IContains, "O w", registered, true},
		{bak.TargetMessage, bak.IContains, "bye", registered, false},
		// == exact, case-sensitive.
		{bak.TargetUA, bak.Exact, "Mozilla/5.0 Firefox", registered, true},
		{bak.TargetUA, bak.Exact, "Mozilla/5.0", registered, false},
		{bak.TargetAuthor, bak.Exact, "Superman", registered, true},
		{bak.TargetAuthor, bak.Exact, "superman", registered, false},
		{bak.TargetMessage, bak.Exact, "Hello World", registered, true},
		{bak.TargetMessage, bak.Exact, "hello world", registered, false},
		// ~= exact, case-insensitive.
		{bak.TargetUA, bak.IExact, "mozilla/5.0 FIREFOX", registered, true},
		{bak.TargetUA, bak.IExact, "mozilla", registered, false},
		{bak.TargetAuthor, bak.IExact, "SUPERMAN", registered, true},
		{bak.TargetAuthor, bak.IExact, "SUPER", registered, false},
		{bak.TargetMessage, bak.IExact, "hello world", registered, true},
		{bak.TargetMessage, bak.IExact, "hello", registered, false},
		// ^= starts with, case-sensitive.
		{bak.TargetUA, bak.StartsWith, "Mozilla", registered, true},
		{bak.TargetUA, bak.StartsWith, "mozilla", registered, false},
		{bak.TargetUA, bak.StartsWith, "Firefox", registered, false},
		{bak.TargetAuthor, bak.StartsWith, "Super", registered, true},
		{bak.TargetAuthor, bak.StartsWith, "man", registered, false},
		{bak.TargetMessage, bak.StartsWith, "Hello", registered, true},
		{bak.TargetMessage, bak.StartsWith, "World", registered, false},
		// $= ends with, case-sensitive.
		{bak.TargetUA, bak.EndsWith, "Firefox", registered, true},
		{bak.TargetUA, bak.EndsWith, "firefox", registered, false},
		{bak.TargetAuthor, bak.EndsWith, "man", registered, true},
		{bak.TargetAuthor, bak.EndsWith, "Super", registered, false},
		{bak.TargetMessage, bak.EndsWith, "World", registered, true},
		{bak.TargetMessage, bak.EndsWith, "Hello", registered, false},
		// Author rules never match anonymous messages, whatever the kind
		// (an empty pattern would match an empty login).
		{bak.TargetAuthor, bak.Contains, "", anonymous, false},
		{bak.TargetAuthor, bak.IContains, "", anonymous, false},
		{bak.TargetAuthor, bak.Exact, "", anonymous, false},
		{bak.TargetAuthor, bak.IExact, "", anonymous, false},
		{bak.TargetAuthor, bak.StartsWith, "", anonymous, false},
		{bak.TargetAuthor, bak.EndsWith, "", anonymous, false},
		// ... while the other targets do.
		{bak.TargetUA, bak.Contains, "Firefox", anonymous, true},
		{bak.TargetMessage, bak.Exact, "Hello World", anonymous, true},
		// An empty pattern matches every registered author for the
		// prefix kinds.
		{bak.TargetAuthor, bak.StartsWith, "", registered, true},
		// Unknown target or kind: nothing is hidden.
		{"nick", bak.Contains, "", registered, false},
		{bak.TargetUA, "!=", "Chrome", registered, false},
	}
	for _, tc := range tests {
		r := bak.Rule{Target: tc.target, Kind: tc.kind, Pattern: tc.pattern}
		t.Run(tc.target+" "+tc.kind+" "+tc.pattern, func(t *testing.T) {
			if got := hides(t, r, tc.m); got != tc.hidden {
				t.Errorf("hides %+v = %v, want %v", tc.m, got, tc.hidden)
			}
		})
	}
}

// TestUnicodeFolding checks that |= and ~= use full Unicode case folding
// (golang.org/x/text/cases.Fold): ß folds to ss, so STRASSE matches Straße,
// and final sigma matches sigma; the case-sensitive kinds do not fold.
func TestUnicodeFolding(t *testing.T) {
	tests := []struct {
		kind, pattern, text string
		hidden              bool
	}{
		{bak.IExact, "STRASSE", "Straße", true},
		{bak.IExact, "straße", "STRASSE", true},
		{bak.IExact, "ẞ", "ss", true},
		{bak.IContains, "SS", "Großartig", true},
		{bak.IContains, "ß", "GROSS", true},
		{bak.IExact, "ΟΔΟΣ", "οδος", true},
		{bak.IExact, "ΟΔΟΣ", "οδοσ", true},
		{bak.IExact, "Kelvin", "\u212Aelvin", true}, // KELVIN SIGN folds to k
		{bak.IContains, "ﬁ", "FIN", true},           // the ligature folds to fi
		{bak.IExact, "ÉTÉ", "été", true},
		{bak.IExact, "ÉTÉ", "ete", false},             // folding keeps accents
		{bak.IExact, "été", "e\u0301te\u0301", false}, // no normalisation: precomposed é is not e + U+0301
		{bak.IExact, "ISTANBUL", "istanbul", true},
		{bak.IExact, "İstanbul", "istanbul", false}, // İ folds to i + U+0307, not i (no Turkish rules)
		{bak.IExact, "İSTANBUL", "i\u0307stanbul", true},
		{bak.IContains, "stanbul", "İSTANBUL", true},
		{bak.IContains, "chrome", "Firefox", false},
		{bak.Exact, "STRASSE", "Straße", false},
		{bak.Contains, "SS", "Großartig", false},
		{bak.StartsWith, "É", "été", false},
		{bak.EndsWith, "É", "été", false},
	}
	for _, tc := range tests {
		t.Run(tc.kind+" "+tc.pattern+" "+tc.text, func(t *testing.T) {
			for _, target := range []string{bak.TargetUA, bak.TargetAuthor, bak.TargetMessage} {
				m := &model.Message{Info: tc.text, Login: tc.text, Raw: tc.text}
				if got := hides(t, bak.Rule{Target: target, Kind: tc.kind, Pattern: tc.pattern}, m); got != tc.hidden {
					t.Errorf("%s: hides %q = %v, want %v", target, tc.text, got, tc.hidden)
				}
			}
		})
	}
}

func TestSeveralRules(t *testing.T) {
	s := bak.New()
	s.Add(bak.Rule{Target: bak.TargetUA, Kind: bak.IContains, Pattern: "bot"})
	s.Add(bak.Rule{Target: bak.TargetAuthor, Kind: bak.Exact, Pattern: "troll"})
	f := s.Filter()
	tests := []struct {
		m      model.Message
		hidden bool
	}{
		{model.Message{Info: "RoBoT 1.0", Raw: "x"}, true},
		{model.Message{Info: "Firefox", Login: "troll", Raw: "x"}, true},
		{model.Message{Info: "Firefox", Login: "trolls", Raw: "x"}, false},
		{model.Message{Info: "Firefox", Raw: "bot troll"}, false},
	}
	for _, tc := range tests {
		if got := f(&tc.m); got != tc.hidden {
			t.Errorf("hides %+v = %v, want %v", tc.m, got, tc.hidden)
		}
	}
	// The filter is a snapshot: later changes need a new Filter.
	s.Reset()
	if !f(&model.Message{Info: "bot"}) {
		t.Error("Reset changed an existing filter")
	}
}

func TestFilterNilWhenNothingToDo(t *testing.T) {
	var nilState *bak.State
	if nilState.Filter() != nil {
		t.Error("nil state has a filter")
	}
	s := bak.New()
	if !s.Active || len(s.Rules) != 0 {
		t.Errorf("New() = %+v, want active and empty", s)
	}
	if s.Filter() != nil {
		t.Error("no rule, yet a filter")
	}
	r := bak.Rule{Target: bak.TargetUA, Kind: bak.Contains, Pattern: "bot"}
	s.Add(r)
	if s.Filter() == nil {
		t.Fatal("an active rule gives no filter")
	}
	s.Active = false
	if s.Filter() != nil {
		t.Error("inactive state has a filter")
	}
	s.Active = true
	if f := s.Filter(); f == nil || !f(&model.Message{Info: "a bot"}) {
		t.Error("reactivated state does not filter")
	}
	s.Remove(r)
	if s.Filter() != nil {
		t.Error("no rule left, yet a filter")
	}
}

func TestAddRemoveReset(t *testing.T) {
	a := bak.Rule{Target: bak.TargetUA, Kind: bak.Contains, Pattern: "bot"}
	b := bak.Rule{Target: bak.TargetMessage, Kind: bak.IExact, Pattern: "plop"}
	c := bak.Rule{Target: bak.TargetUA, Kind: bak.IContains, Pattern: "bot"} // differs from a by its kind
	s := bak.New()
	steps := []struct {
		name  string
		do    func() bool
		want  bool
		rules []bak.Rule
	}{
		{"add a", func() bool { return s.Add(a) }, true, []bak.Rule{a}},
		{"add a again", func() bool { return s.Add(a) }, false, []bak.Rule{a}},
		{"add b", func() bool { return s.Add(b) }, true, []bak.Rule{a, b}},
		{"add c", func() bool { return s.Add(c) }, true, []bak.Rule{a, b, c}},
		{"remove b", func() bool { return s.Remove(b) }, true, []bak.Rule{a, c}},
		{"remove b again", func() bool { return s.Remove(b) }, false, []bak.Rule{a, c}},
		{"remove an unknown rule", func() bool { return s.Remove(bak.Rule{Target: "ua", Kind: "*=", Pattern: "BOT"}) }, false, []bak.Rule{a, c}},
		{"remove a", func() bool { return s.Remove(a) }, true, []bak.Rule{c}},
		{"reset", func() bool { s.Reset(); return true }, true, nil},
		{"add after reset", func() bool { return s.Add(a) }, true, []bak.Rule{a}},
	}
	for _, st := range steps {
		if got := st.do(); got != st.want {
			t.Errorf("%s: %v, want %v", st.name, got, st.want)
		}
		if len(s.Rules) != len(st.rules) || len(st.rules) > 0 && !reflect.DeepEqual(s.Rules, st.rules) {
			t.Errorf("%s: rules %+v, want %+v", st.name, s.Rules, st.rules)
		}
	}
	if !s.Active {
		t.Error("rule changes switched the state off")
	}
}

func TestMaxRules(t *testing.T) {
	rule := func(i int) bak.Rule {
		return bak.Rule{Target: bak.TargetUA, Kind: bak.Exact, Pattern: fmt.Sprint("bot", i)}
	}
	s := bak.New()
	for i := range bak.MaxRules {
		if s.Full() || !s.Add(rule(i)) {
			t.Fatalf("rule %d refused", i)
		}
	}
	if !s.Full() || s.Add(rule(bak.MaxRules)) || len(s.Rules) != bak.MaxRules {
		t.Fatalf("a full state took one more rule: %d rules", len(s.Rules))
	}
	if !s.Has(rule(0)) || s.Has(rule(bak.MaxRules)) {
		t.Fatal("Has")
	}
	s.Remove(rule(0))
	if s.Full() || !s.Add(rule(bak.MaxRules)) {
		t.Fatal("no room after a removal")
	}

	// SetRules keeps the first MaxRules and does not share the caller's
	// array.
	many := make([]bak.Rule, bak.MaxRules+5)
	for i := range many {
		many[i] = rule(i)
	}
	s.SetRules(many)
	if len(s.Rules) != bak.MaxRules || s.Rules[0] != many[0] || s.Rules[bak.MaxRules-1] != many[bak.MaxRules-1] {
		t.Fatalf("SetRules kept %d rules", len(s.Rules))
	}
	s.Rules[0] = rule(-1)
	if many[0] != rule(0) {
		t.Fatal("SetRules shares the caller's array")
	}
	s.SetRules(nil)
	if len(s.Rules) != 0 || !s.Active {
		t.Fatalf("SetRules(nil): %+v", s)
	}
}

func TestValid(t *testing.T) {
	for _, k := range []string{"*=", "|=", "==", "~=", "^=", "$="} {
		if !bak.ValidKind(k) {
			t.Errorf("ValidKind(%q) = false", k)
		}
	}
	for _, k := range []string{"", "=", "!=", "*", "=*", "~"} {
		if bak.ValidKind(k) {
			t.Errorf("ValidKind(%q) = true", k)
		}
	}
	for _, target := range []string{"ua", "author", "message"} {
		if !bak.ValidTarget(target) {
			t.Errorf("ValidTarget(%q) = false", target)
		}
	}
	for _, target := range []string{"", "UA", "login", "info", "raw"} {
		if bak.ValidTarget(target) {
			t.Errorf("ValidTarget(%q) = true", target)
		}
	}
}

// TestJSON checks the stored form of a state (sessions and profiles keep
// it as JSON).
func TestJSON(t *testing.T) {
	s := bak.New()
	s.Add(bak.Rule{Target: bak.TargetUA, Kind: bak.IContains, Pattern: "bot"})
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"active":true,"rules":[{"target":"ua","kind":"|=","pattern":"bot"}]}`; string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
	var back bak.State
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(&back, s) {
		t.Errorf("round trip %+v, %v", back, err)
	}
}
