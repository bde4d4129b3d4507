package moderation

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// rate builds the moderator of spec and rates s with it, failing the test
// if the moderator fails.
func rate(t *testing.T, spec string, deps Deps, s *Submission) Output {
	t.Helper()
	out, err := rateErr(t, spec, deps, s)
	if err != nil {
		t.Fatalf("%s failed: %v", spec, err)
	}
	return out
}

// rateErr builds the moderator of spec and rates s with it.
func rateErr(t *testing.T, spec string, deps Deps, s *Submission) (Output, error) {
	t.Helper()
	m, err := ParseSpec(spec, deps)
	if err != nil {
		t.Fatal(err)
	}
	return m.Rate(context.Background(), s)
}

func TestCountLinks(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"no link here", 0},
		{"see http://a.example and https://b.example", 2},
		{"ftp://x gopher://y git://z svn://w git+ssh://v svn+ssh://u chrome://t", 7},
		{"HTTP://shouting.example is not linked", 0},
		{"http://a http://a http://a", 3},
		{"https://", 1},
	}
	for _, tt := range tests {
		if got := CountLinks(tt.text); got != tt.want {
			t.Errorf("CountLinks(%q) = %d, want %d", tt.text, got, tt.want)
		}
	}
}

func TestLinks(t *testing.T) {
	tests := []struct {
		spec string
		text string
		want Output
	}{
		{"links:1", "one http://a.example", Neutral()},
		{"links:1", "two http://a.example https://b.example", Reject()},
		{"links:0", "one http://a.example", Reject()},
		{"links:0", "none", Neutral()},
		{"links:2", "ftp://a git+ssh://b svn+ssh://c", Reject()},
	}
	for _, tt := range tests {
		t.Run(tt.spec+" "+tt.text, func(t *testing.T) {
			if got := rate(t, tt.spec, Deps{}, &Submission{Content: tt.text}); got != tt.want {
				t.Errorf("Rate = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestLinksCallersCount: a count given with the submission (the
// renderer's) replaces ours.
func TestLinksCallersCount(t *testing.T) {
	count := func(raw string) *int { n := strings.Count(raw, "[url]"); return &n }
	text := "[url] [url] http://x http://y"
	if got := rate(t, "links:1", Deps{}, &Submission{Content: text, Links: count(text)}); got != Reject() {
		t.Errorf("caller's count: Rate = %v, want reject", got)
	}
	text = "[url] http://x http://y"
	if got := rate(t, "links:1", Deps{}, &Submission{Content: text, Links: count(text)}); got != Neutral() {
		t.Errorf("caller's count: Rate = %v, want neutral", got)
	}
}

func TestWords(t *testing.T) {
	tests := []struct {
		spec string
		text string
		hit  bool
	}{
		{"words:spam", "buy spam now", true},
		{"words:spam", "SPAM!", true},
		{"words:spam", "Spam", true},
		{"words:spam", "spammer", false},
		{"words:spam", "antispam", false},
		{"words:spam", "spam_bot", false},
		{"words:spam", "spam2", false},
		{"words:spam", "«spam»", true},
		{"words:spam", "<b>spam</b>", true},
		{"words:spam", "http://example.com/spam?x", true},
		{"words:spam", "spammer then spam", true},
		{"words:spam|eggs", "green EGGS", true},
		{"words:spam|eggs", "ham", false},
		{"words: spam || eggs |", "eggs", true},
		{"words:foo bar", "say FOO   Bar!", true},
		{"words:foo bar", "say foo\tbar", true},
		{"words:foo bar", "foobar", false},
		{"words:foo bar", "foo barn", false},
		{"words:foo bar", "afoo bar", false},
		// Unicode: simple case folding.
		{"words:éclair", "ÉCLAIR", true},
		{"words:ΣΟΦΙΑ", "σοφια", true},
		{"words:σοφος", "ΣΟΦΟΣ", true}, // final sigma folds with Σ and σ
		{"words:kelvin", "\u212aELVIN", true},
		{"words:Straße", "STRAẞE", true},
		{"words:Straße", "strasse", false}, // full folding ß → ss is not done
		{"words:Straße", "STRASSE", false},
		{"words:chat", "châteaux", false},
		{"words:cafe", "cafe\u0301", false}, // a combining mark continues the word
		{"words:été", "Un ÉTÉ chaud", true},
		{"words:4chan", "visit 4CHAN", true},
		// Entries that start or end with punctuation have no boundary on
		// that side.
		{"words:$$$", "win $$$ now", true},
		{"words:$$$", "win100$$$", true},
		{"words:c++", "i like C++.", true},
		{"words:c++", "abc++", false},
	}
	for _, tt := range tests {
		t.Run(tt.spec+" "+tt.text, func(t *testing.T) {
			want := Neutral()
			if tt.hit {
				want = Reject()
			}
			if got := rate(t, tt.spec, Deps{}, &Submission{Content: tt.text}); got != want {
				t.Errorf("Rate = %v, want %v", got, want)
			}
		})
	}
}

func TestCaps(t *testing.T) {
	tests := []struct {
		spec string
		text string
		want Output
	}{
		{"caps:50", "HELLO WORLD", Rate(capsRating)},     // 10 letters, all capitals
		{"caps:50", "HELLO WORL", Neutral()},             // 9 letters: too short to judge
		{"caps:50", "HELLO!!! 123 ???", Neutral()},       // 5 letters
		{"caps:50", "HELLOworld", Neutral()},             // exactly 50 %: not more
		{"caps:50", "HELLOWorld", Rate(capsRating)},      // 60 %
		{"caps:0", "Hello world", Rate(capsRating)},      // any capital is more than 0 %
		{"caps:0", "hello world", Neutral()},             // no capital
		{"caps:100", "HELLO WORLD", Neutral()},           // never more than 100 %
		{"caps:70", "ÉTÉ ÉTÉ ÉTÉ ÉTÉ", Rate(capsRating)}, // Unicode capitals
		{"caps:70", "日本語の文章はとても長いです", Neutral()},         // letters without case
		{"caps:33.3", "ABCdefghij", Neutral()},           // 30 %
		{"caps:33.3", "ABCDefghij", Rate(capsRating)},    // 40 %
	}
	for _, tt := range tests {
		t.Run(tt.spec+" "+tt.text, func(t *testing.T) {
			if got := rate(t, tt.spec, Deps{}, &Submission{Content: tt.text}); got != tt.want {
				t.Errorf("Rate = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAnonymous(t *testing.T) {
	tests := []struct {
		spec  string
		login string
		want  Output
	}{
		{"anonymous:30", "", Rate(30)},
		{"anonymous:30", "alice", Neutral()},
		{"anonymous:0", "", Reject()},
		{"anonymous:100", "", Accept()},
		{"anonymous:12.5", "", Rate(12.5)},
	}
	for _, tt := range tests {
		t.Run(tt.spec+" "+tt.login, func(t *testing.T) {
			s := &Submission{Content: "hi", Login: tt.login, Address: "192.0.2.1"}
			if got := rate(t, tt.spec, Deps{}, s); got != tt.want {
				t.Errorf("Rate = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestChainOfKinds runs a realistic chain end to end, default reasons
// included.
func TestChainOfKinds(t *testing.T) {
	chain, err := ParseChain([]string{
		"links:1#one link is enough",
		"words:viagra|casino",
		"caps:60",
		"anonymous:40#anonymous and suspicious",
	}, Deps{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		s     Submission
		want  Decision
		asked int // moderators asked: none after a firm verdict
	}{
		{"registered and quiet", Submission{Content: "hello there", Login: "bob"}, Decision{Verdict: Pending}, 4},
		{"anonymous and quiet", Submission{Content: "hello there"}, Decision{Rejected, "anonymous and suspicious"}, 4},
		{"links first", Submission{Content: "CASINO http://a http://b", Login: "bob"}, Decision{Rejected, "one link is enough"}, 1},
		{"forbidden word", Submission{Content: "best Casino in town", Login: "bob"}, Decision{Rejected, "forbidden word"}, 2},
		{"shouting and anonymous", Submission{Content: "HELLO THERE EVERYONE"}, Decision{Rejected, "too many capitals, anonymous and suspicious"}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, results := chain.Run(context.Background(), &tt.s, FallbackPending)
			if got != tt.want {
				t.Errorf("Run = %+v, want %+v", got, tt.want)
			}
			if len(results) != tt.asked {
				t.Errorf("%d results %+v, want %d", len(results), results, tt.asked)
			}
		})
	}
	// What each moderator said, default reasons applied.
	_, results := chain.Run(context.Background(), &Submission{Content: "HELLO THERE EVERYONE"}, FallbackPending)
	want := []Result{
		{Spec: "links:1#one link is enough", Output: Neutral()},
		{Spec: "words:viagra|casino", Output: Neutral()},
		{Spec: "caps:60", Output: RateWithReason(20, "too many capitals")},
		{Spec: "anonymous:40#anonymous and suspicious", Output: RateWithReason(40, "anonymous and suspicious")},
	}
	if !slices.Equal(results, want) {
		t.Errorf("results\n%+v\nwant\n%+v", results, want)
	}
}
