package tribune_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The layers of docs/architecture.md: who may depend on whom.
func TestLayers(t *testing.T) {
	const mod = "github.com/tribune-go/tribune/internal/"
	deps := func(t *testing.T, pkg string, transitive bool) []string {
		t.Helper()
		args := []string{"list", "-f", `{{join .Imports "\n"}}`, mod + pkg}
		if transitive {
			args = []string{"list", "-deps", mod + pkg}
		}
		out, err := exec.Command("go", args...).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pkg, err, out)
		}
		return strings.Fields(string(out))
	}
	// No HTTP below the server: these can be used by a test, a command or
	// an importer without a request, and cannot answer one.
	for _, pkg := range []string{"board", "store", "hub", "moderation", "commands", "markup", "backend", "history"} {
		for _, d := range deps(t, pkg, true) {
			if d == "net/http" || strings.HasPrefix(d, "net/http/") {
				t.Errorf("internal/%s depends on %s", pkg, d)
				break
			}
		}
	}
	// Handlers never run SQL: the server reaches the store through the
	// board only.
	if slices.Contains(deps(t, "server", false), mod+"store") {
		t.Error("internal/server imports internal/store")
	}
	// Leaves: they import nothing of ours.
	for _, pkg := range []string{"markup", "model", "moderation", "version"} {
		for _, d := range deps(t, pkg, false) {
			if strings.HasPrefix(d, "github.com/tribune-go/tribune") {
				t.Errorf("internal/%s imports %s", pkg, d)
			}
		}
	}
}
