package config

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// ConfigFileEnv names the environment variable (and -config flag) holding the
// optional configuration file.
const ConfigFileEnv = "TRIBUNE_CONFIG_FILE"

// Flags is the set of option flags registered on one subcommand's FlagSet.
type Flags struct {
	file  string
	given map[string]string // env name -> flag value
}

// Register adds a flag for every option (and -config) to fs.
func Register(fs *flag.FlagSet) *Flags {
	f := &Flags{given: map[string]string{}}
	fs.StringVar(&f.file, "config", "", "configuration file of KEY=value lines (env "+ConfigFileEnv+")")
	for _, o := range options {
		set := func(v string) error {
			// Check now, so that a bad flag is reported by the flag package
			// with the usage text.
			c := Default()
			if err := o.set(&c, v); err != nil {
				return err
			}
			f.given[o.env] = v
			return nil
		}
		if o.isBool {
			// -log-requests alone means true, as with the flag package's
			// own booleans (then -log-requests=false turns it off).
			fs.BoolFunc(o.flag(), o.help+" (env "+o.env+")", set)
		} else {
			fs.Func(o.flag(), o.help+" (env "+o.env+")", set)
		}
	}
	return f
}

// UnknownEnv returns the names in environ (KEY=value strings, as
// os.Environ gives) that start with TRIBUNE_ but name no setting, each
// with the closest setting's name ("" when none is close). The test
// suite's own variables (TRIBUNE_TEST_…, TRIBUNE_E2E_…) are not settings
// and are left out.
func UnknownEnv(environ []string) (unknown, closest []string) {
	known := map[string]bool{ConfigFileEnv: true}
	for _, o := range options {
		known[o.env] = true
	}
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "TRIBUNE_") || known[name] ||
			strings.HasPrefix(name, "TRIBUNE_TEST_") || strings.HasPrefix(name, "TRIBUNE_E2E_") {
			continue
		}
		unknown = append(unknown, name)
		closest = append(closest, closestSetting(name))
	}
	return unknown, closest
}

// closestSetting is the setting whose name is nearest to name by edit
// distance, when it is near enough to be a typo (a third of the name's
// length, at least 2: TRIBUNE_TIMEZON).
func closestSetting(name string) string {
	names := []string{ConfigFileEnv}
	for _, o := range options {
		names = append(names, o.env)
	}
	best, dist := "", len(name)
	for _, n := range names {
		if d := editDistance(name, n); d < dist {
			best, dist = n, d
		}
	}
	if dist > max(2, (len(name)-len("TRIBUNE_"))/3) {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance of two ASCII names.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Load builds the configuration: defaults, then the file, then the
// environment, then the flags, and validates it.
// lookupEnv is os.LookupEnv in production, a map in tests.
func (f *Flags) Load(lookupEnv func(string) (string, bool)) (Config, error) {
	c := Default()
	path := f.file
	if path == "" {
		path, _ = lookupEnv(ConfigFileEnv)
	}
	if path != "" {
		values, err := readFile(path)
		if err != nil {
			return c, err
		}
		if err := apply(&c, values, "in "+path); err != nil {
			return c, err
		}
	}
	env := map[string]string{}
	for _, o := range options {
		if v, ok := lookupEnv(o.env); ok {
			env[o.env] = v
		}
	}
	if err := apply(&c, env, "in the environment"); err != nil {
		return c, err
	}
	if err := apply(&c, f.given, "in the flags"); err != nil {
		return c, err
	}
	return c, c.Validate()
}

func apply(c *Config, values map[string]string, where string) error {
	var errs []error
	for _, o := range options {
		v, ok := values[o.env]
		if !ok {
			continue
		}
		if err := o.set(c, v); err != nil {
			errs = append(errs, fmt.Errorf("%s %s: %w", o.env, where, err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("config: %w", errors.Join(errs...))
	}
	return nil
}

func readFile(path string) (map[string]string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer fh.Close()
	return parseFile(fh, path)
}

// parseFile reads KEY=value lines; # starts a comment line; a value may be
// wrapped in single or double quotes. Unknown keys are errors, so a typo does
// not silently fall back to a default.
func parseFile(r io.Reader, name string) (map[string]string, error) {
	known := map[string]bool{}
	for _, o := range options {
		known[o.env] = true
	}
	values := map[string]string{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		key = strings.TrimSpace(key)
		if !ok {
			return nil, fmt.Errorf("config: %s:%d: want KEY=value", name, n)
		}
		if !known[key] {
			return nil, fmt.Errorf("config: %s:%d: unknown setting %s", name, n, key)
		}
		value = strings.TrimSpace(value)
		if len(value) >= 2 && (value[0] == '"' || value[0] == '\'') && value[len(value)-1] == value[0] {
			value = value[1 : len(value)-1]
		}
		values[key] = value
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("config: %s: %w", name, err)
	}
	return values, nil
}

// PrintSettings writes every setting for "tribune serve -h": what the
// table of docs/configuration.md says, in full, one block per setting
// (a table would be as wide as the longest default, the list of titles).
func PrintSettings(w io.Writer) {
	block := func(flag, env, def, help string) {
		if def == "" {
			def = "(empty)"
		}
		fmt.Fprintf(w, "  %s  %s\n      %s\n      default: %s\n", flag, env, help, def)
	}
	block("-config", ConfigFileEnv, "", "configuration file of KEY=value lines")
	for _, o := range options {
		block("-"+o.flag(), o.env, o.def, o.help)
	}
}

// Dump writes the effective configuration as KEY=value lines, secrets masked.
func Dump(w io.Writer, c *Config) {
	for _, o := range options {
		v := o.get(c)
		if o.secret && v != "" {
			v = "********"
		}
		fmt.Fprintf(w, "%s=%s\n", o.env, v)
	}
}

// Setting describes one option for documentation.
type Setting struct{ Env, Flag, Default, Help string }

// Settings lists every option in table order.
func Settings() []Setting {
	s := make([]Setting, len(options))
	for i, o := range options {
		s[i] = Setting{Env: o.env, Flag: "-" + o.flag(), Default: o.def, Help: o.help}
	}
	return s
}

// MarkdownTable is the settings table of docs/configuration.md.
func MarkdownTable() string {
	var b strings.Builder
	b.WriteString("| Environment variable | Flag | Default | Meaning |\n|---|---|---|---|\n")
	row := func(env, flag, def, help string) {
		if def == "" {
			def = "(empty)"
		} else {
			def = "`" + strings.ReplaceAll(def, "|", `\|`) + "`"
		}
		fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s |\n", env, flag, def, strings.ReplaceAll(help, "|", `\|`))
	}
	row(ConfigFileEnv, "-config", "", "configuration file of KEY=value lines")
	for _, o := range options {
		row(o.env, "-"+o.flag(), o.def, o.help)
	}
	return b.String()
}
