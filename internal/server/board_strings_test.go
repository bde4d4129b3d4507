package server

import (
	"os"
	"regexp"
	"slices"
	"testing"
)

// TestJSStringsMatchBoardJS: board.js is sent exactly the catalogue keys it
// names, each once.
func TestJSStringsMatchBoardJS(t *testing.T) {
	var used []string
	for _, name := range boardScripts {
		js, err := os.ReadFile("../ui/static/" + name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`"((?:board|error|history)\.[a-z_]+)"`).FindAllStringSubmatch(string(js), -1) {
			if !slices.Contains(used, m[1]) {
				used = append(used, m[1])
			}
		}
	}
	sent := slices.Clone(jsStrings)
	slices.Sort(sent)
	if len(slices.Compact(slices.Clone(sent))) != len(sent) {
		t.Errorf("jsStrings holds a key twice: %v", sent)
	}
	slices.Sort(used)
	if !slices.Equal(slices.Compact(sent), used) {
		t.Errorf("jsStrings %v\nboard.js uses %v", sent, used)
	}
}
