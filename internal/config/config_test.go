package config

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T, args []string, env map[string]string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := Register(fs)
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	return f.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
}

func TestDefaults(t *testing.T) {
	c, err := load(t, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DB != "tribune.db" || c.Prefix != "" || c.DefaultLimit != 50 || c.MaxLimit != 100 ||
		c.PostMaxLength != 500 || c.RefreshShifting != 10000 || c.UACookieName != "djangotribune_user-agent" ||
		c.UACookieMaxAge != 1209600 || c.UALengthMin != 3 || c.SmileysURL != "http://totoz.eu/{0}.gif" ||
		c.SaveURLsByPost != 5 || c.ArchiveURLsMaxLimit != 30 || c.LastFMAPIURL != "http://ws.audioscrobbler.com/2.0/" ||
		c.LastFMAPIKey != "" || c.ShowTruncatedURL || c.Locked || c.Location != time.Local || !c.Migrate ||
		len(c.Titles) < 10 || !c.RemoteAnonymousPost || c.AutoModerateAs != "pending" {
		t.Fatalf("defaults: %+v", c)
	}
}

// Precedence: flag, then environment, then file, then default.
func TestPrecedence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "tribune.conf")
	os.WriteFile(file, []byte(`# a comment
TRIBUNE_ADDR=file:1
TRIBUNE_DB = "from-file.db"
TRIBUNE_MESSAGES_MAX_LIMIT='420'
TRIBUNE_LOCKED=yes
TRIBUNE_TIMEZONE=Europe/Paris
`), 0o644)
	env := map[string]string{ConfigFileEnv: file, "TRIBUNE_ADDR": "env:2", "TRIBUNE_DB": "from-env.db"}
	c, err := load(t, []string{"-addr", "flag:3"}, env)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "flag:3" || c.DB != "from-env.db" || c.MaxLimit != 420 || !c.Locked || c.Location.String() != "Europe/Paris" {
		t.Fatalf("precedence: %+v", c)
	}
	// An empty environment value still overrides the file.
	env["TRIBUNE_LOCKED"] = ""
	if c, _ := load(t, nil, env); c.Locked {
		t.Fatal("an empty TRIBUNE_LOCKED did not override the file")
	}
	// -config names the file too.
	if c, err := load(t, []string{"-config", file}, nil); err != nil || c.DB != "from-file.db" {
		t.Fatalf("-config: %+v %v", c, err)
	}
}

func TestBadValues(t *testing.T) {
	cases := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"-messages-max-limit", "lots"}, nil, "not an integer"},
		{nil, map[string]string{"TRIBUNE_LOCKED": "maybe"}, "TRIBUNE_LOCKED"},
		{nil, map[string]string{"TRIBUNE_TIMEZONE": "Mars/Olympus"}, "unknown time zone"},
		{nil, map[string]string{"TRIBUNE_PREFIX": "tribune"}, "TRIBUNE_PREFIX must start with /"},
		{nil, map[string]string{"TRIBUNE_SITE_URL": "example.com"}, "TRIBUNE_SITE_URL"},
		{nil, map[string]string{"TRIBUNE_SMILEYS_URL": "http://x/y.gif"}, "{0}"},
		{nil, map[string]string{"TRIBUNE_POST_RATE_LIMIT": "fast"}, "N/DURATION"},
		{nil, map[string]string{"TRIBUNE_AUTO_MODERATE_AS": "maybe"}, "TRIBUNE_AUTO_MODERATE_AS"},
		{nil, map[string]string{"TRIBUNE_TRUSTED_PROXIES": "10.0.0.0/33"}, "bad range"},
		{nil, map[string]string{"TRIBUNE_MESSAGES_DEFAULT_LIMIT": "0"}, "DEFAULT_LIMIT"},
		{nil, map[string]string{"TRIBUNE_MESSAGES_DEFAULT_LIMIT": "150"}, "must not exceed TRIBUNE_MESSAGES_MAX_LIMIT"},
		{nil, map[string]string{"TRIBUNE_PASSWORD_CHECKS": "0"}, "TRIBUNE_PASSWORD_CHECKS must be at least 1"},
		{nil, map[string]string{"TRIBUNE_PASSWORD_CACHE": "-1s"}, "TRIBUNE_PASSWORD_CACHE must not be negative"},
		{nil, map[string]string{"TRIBUNE_LOGIN_ACCOUNT_RATE_LIMIT": "often"}, "N/DURATION"},
		{nil, map[string]string{"TRIBUNE_MODERATION_TIMEOUT": "0s"}, "TRIBUNE_MODERATION_TIMEOUT must be positive"},
		{nil, map[string]string{"TRIBUNE_MODERATION_TIMEOUT": "1m"}, "at most 20s"},
		{nil, map[string]string{"TRIBUNE_MODERATION_WEBHOOK_TIMEOUT": "-1s"}, "TRIBUNE_MODERATION_WEBHOOK_TIMEOUT must be positive"},
		{nil, map[string]string{"TRIBUNE_MODERATION_TIMEOUT": "1s"}, "must not exceed TRIBUNE_MODERATION_TIMEOUT"},
		{nil, map[string]string{"TRIBUNE_STREAM_MAX": "-1"}, "TRIBUNE_STREAM_MAX must be 0"},
		{nil, map[string]string{"TRIBUNE_METRICS_ADDR": "9090"}, "TRIBUNE_METRICS_ADDR must be host:port"},
		{[]string{"-metrics=false", "-metrics-addr", "127.0.0.1:9090"}, nil, "TRIBUNE_METRICS is off"},
		{[]string{"-metrics-addr", "127.0.0.1:8080"}, nil, "must differ from TRIBUNE_ADDR"},
		{[]string{"-metrics=maybe"}, nil, "not a boolean"},
		{nil, map[string]string{"TRIBUNE_DB": "host=db.example.com password=topsecret dbname=tribune"}, "give a URL instead"},
		{nil, map[string]string{"TRIBUNE_DB": " dbname=tribune"}, "PostgreSQL keyword string"},
	}
	for _, tc := range cases {
		_, err := load(t, tc.args, tc.env)
		if err != nil && strings.Contains(err.Error(), "topsecret") {
			t.Errorf("the error shows the password: %v", err)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %v: got %v, want an error about %q", tc.args, tc.env, err, tc.want)
		}
	}
	file := filepath.Join(t.TempDir(), "bad.conf")
	os.WriteFile(file, []byte("TRIBUNE_ADRR=typo\n"), 0o644)
	if _, err := load(t, nil, map[string]string{ConfigFileEnv: file}); err == nil || !strings.Contains(err.Error(), ":1: unknown setting TRIBUNE_ADRR") {
		t.Errorf("unknown key in file: %v", err)
	}
}

func TestValuesNormalised(t *testing.T) {
	c, err := load(t, nil, map[string]string{"TRIBUNE_PREFIX": "/tribune/", "TRIBUNE_SITE_URL": "https://example.com/",
		"TRIBUNE_TITLES_AVAILABLE": " One | Two ||", "TRIBUNE_TRUSTED_PROXIES": "10.0.0.1, 192.168.0.0/16, ::ffff:172.16.0.1, ::ffff:10.1.0.0/112"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Prefix != "/tribune" || c.SiteURL != "https://example.com" || len(c.Titles) != 2 || c.Titles[1] != "Two" ||
		len(c.TrustedProxies) != 4 || c.TrustedProxies[0].String() != "10.0.0.1/32" ||
		c.TrustedProxies[2].String() != "172.16.0.1/32" || c.TrustedProxies[3].String() != "10.1.0.0/16" {
		t.Fatalf("%+v", c)
	}
	r, _ := ParseRate("5/10s")
	if r.N != 5 || r.Period != 10*time.Second || r.String() != "5/10s" {
		t.Fatalf("rate %+v", r)
	}
}

func TestDumpMasksSecrets(t *testing.T) {
	c, _ := load(t, nil, map[string]string{"TRIBUNE_LASTFM_API_KEY": "s3cret"})
	var b strings.Builder
	Dump(&b, &c)
	if strings.Contains(b.String(), "s3cret") || !strings.Contains(b.String(), "TRIBUNE_LASTFM_API_KEY=********") {
		t.Fatalf("dump: %s", b.String())
	}
}

// docs/configuration.md holds the table of every setting; UPDATE_DOCS=1 rewrites it.
func TestConfigurationDocIsCurrent(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "configuration.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- settings:begin -->\n", "<!-- settings:end -->"
	i, j := strings.Index(string(doc), begin), strings.Index(string(doc), end)
	if i < 0 || j < i {
		t.Fatalf("%s lacks the settings markers", path)
	}
	want := string(doc[:i+len(begin)]) + MarkdownTable() + string(doc[j:])
	if string(doc) != want {
		if os.Getenv("UPDATE_DOCS") == "1" {
			os.WriteFile(path, []byte(want), 0o644)
			return
		}
		t.Fatalf("%s is out of date: run UPDATE_DOCS=1 go test ./internal/config/", path)
	}
}

// A boolean setting's flag alone means true; with a value, the value.
func TestBooleanFlagAlone(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := Register(fs)
	if err := fs.Parse([]string{"-log-requests", "-metrics=false", "-locked", "rest"}); err != nil {
		t.Fatal(err)
	}
	c, err := f.Load(func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	if !c.LogRequests || c.Metrics || !c.Locked || fs.Arg(0) != "rest" {
		t.Fatalf("LogRequests %v, Metrics %v, Locked %v, args %v", c.LogRequests, c.Metrics, c.Locked, fs.Args())
	}
}

func TestFormatDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{time.Hour, "1h"}, {5 * time.Minute, "5m"}, {90 * time.Minute, "1h30m"}, {10 * time.Second, "10s"},
		{time.Hour + 30*time.Second, "1h0m30s"}, {1500 * time.Millisecond, "1.5s"}, {0, "0s"}, {24 * time.Hour, "24h"},
	} {
		got := FormatDuration(tc.d)
		if got != tc.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", tc.d, got, tc.want)
		}
		if back, err := time.ParseDuration(got); err != nil || back != tc.d {
			t.Errorf("%q reads back as %v, %v", got, back, err)
		}
	}
	if r := (Rate{N: 5, Period: time.Hour}); r.String() != "5/1h" {
		t.Errorf("rate %q", r)
	}
	// Every default prints as the table writes it.
	c := Default()
	for _, o := range options {
		if o.get(&c) != o.def && o.env != "TRIBUNE_TIMEZONE" {
			t.Errorf("%s: default %q prints as %q", o.env, o.def, o.get(&c))
		}
	}
}

func TestUnknownEnv(t *testing.T) {
	unknown, closest := UnknownEnv([]string{
		"HOME=/root", "TRIBUNE_DB=x", "TRIBUNE_TIMEZON=Europe/Paris", "TRIBUNE_LOG_REQUEST=1", "TRIBUNE_WHATEVER=1",
		"TRIBUNE_TEST_POSTGRES=x", "TRIBUNE_E2E_ARTIFACTS=x", ConfigFileEnv + "=x", "TRIBUNE_SINGUP=false",
	})
	want := map[string]string{"TRIBUNE_TIMEZON": "TRIBUNE_TIMEZONE", "TRIBUNE_LOG_REQUEST": "TRIBUNE_LOG_REQUESTS",
		"TRIBUNE_WHATEVER": "", "TRIBUNE_SINGUP": "TRIBUNE_SIGNUP"}
	if len(unknown) != len(want) {
		t.Fatalf("unknown %v", unknown)
	}
	for i, name := range unknown {
		if c, ok := want[name]; !ok || closest[i] != c {
			t.Errorf("%s: closest %q, want %q", name, closest[i], want[name])
		}
	}
}
