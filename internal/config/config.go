// Package config holds the tribune's typed configuration and the one table of
// options that fills it from flags, environment variables and an optional
// file (in that order of precedence, then the defaults).
package config

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Config is the tribune's whole configuration. The zero value is not usable:
// start from Default().
type Config struct {
	Addr     string         // TRIBUNE_ADDR
	DB       string         // TRIBUNE_DB: SQLite file path or postgres:// URL
	Prefix   string         // TRIBUNE_PREFIX: "" or "/path" (no trailing slash)
	SiteURL  string         // TRIBUNE_SITE_URL: "" = derived from each request
	SiteName string         // TRIBUNE_SITE_NAME: discovery name; "" = the host
	Location *time.Location // TRIBUNE_TIMEZONE
	Migrate  bool           // TRIBUNE_MIGRATE: serve migrates the schema at start

	// djangotribune's settings, same names and defaults.
	Locked                bool          // TRIBUNE_LOCKED
	DefaultLimit          int           // TRIBUNE_MESSAGES_DEFAULT_LIMIT
	MaxLimit              int           // TRIBUNE_MESSAGES_MAX_LIMIT
	PostMaxLength         int           // TRIBUNE_MESSAGES_POST_MAX_LENGTH
	RefreshShifting       int           // TRIBUNE_INTERFACE_REFRESH_SHIFTING, milliseconds
	UACookieName          string        // TRIBUNE_MESSAGES_UA_COOKIE_NAME
	UACookieMaxAge        int           // TRIBUNE_MESSAGES_UA_COOKIE_MAXAGE, seconds
	UALengthMin           int           // TRIBUNE_MESSAGES_UA_LENGTH_MIN
	SmileysURL            string        // TRIBUNE_SMILEYS_URL
	TotozSearchURL        string        // TRIBUNE_TOTOZ_SEARCH_URL ("auto": see TotozSearch)
	TotozSearchRateLimit  Rate          // TRIBUNE_TOTOZ_SEARCH_RATE_LIMIT
	BakSessionName        string        // TRIBUNE_BAK_SESSION_NAME (kept for operators; see docs)
	SessionMaxOwnedIDs    int           // TRIBUNE_SESSION_MAX_OWNED_IDS (kept for operators; see docs)
	SaveURLsByPost        int           // TRIBUNE_SAVE_URLS_BY_POST
	ArchiveURLsMaxLimit   int           // TRIBUNE_ARCHIVE_URLS_MAX_LIMIT
	Titles                []string      // TRIBUNE_TITLES_AVAILABLE
	LastFMAPIURL          string        // TRIBUNE_LASTFM_API_URL
	LastFMAPIKey          string        // TRIBUNE_LASTFM_API_KEY
	LastFMTimeout         time.Duration // TRIBUNE_LASTFM_TIMEOUT
	ShowTruncatedURL      bool          // TRIBUNE_SHOW_TRUNCATED_URL
	URLLabelsFile         string        // TRIBUNE_URL_LABELS_FILE
	SessionCookieName     string        // TRIBUNE_SESSION_COOKIE_NAME
	SessionCookieAge      int           // TRIBUNE_SESSION_COOKIE_AGE, seconds
	CookieDomain          string        // TRIBUNE_COOKIE_DOMAIN
	TrustedProxies        []netip.Prefix
	SQLiteSynchronous     string // TRIBUNE_SQLITE_SYNCHRONOUS: full or normal
	LogLevel              string // TRIBUNE_LOG_LEVEL
	LogFormat             string // TRIBUNE_LOG_FORMAT
	LogRequests           bool   // TRIBUNE_LOG_REQUESTS
	Metrics               bool   // TRIBUNE_METRICS: serve /metrics
	MetricsAddr           string // TRIBUNE_METRICS_ADDR: "" = on Addr
	MaxBodyBytes          int64  // TRIBUNE_MAX_BODY_BYTES
	ShutdownTimeout       time.Duration
	StreamKeepAlive       time.Duration // TRIBUNE_STREAM_KEEPALIVE
	StreamMaxPerAddress   int           // TRIBUNE_STREAM_MAX_PER_ADDRESS
	StreamMax             int           // TRIBUNE_STREAM_MAX: 0 = half the open-file limit
	Signup                bool          // TRIBUNE_SIGNUP
	Captcha               bool          // TRIBUNE_CAPTCHA
	RemoteAnonymousPost   bool          // TRIBUNE_REMOTE_ANONYMOUS_POST
	PostRateLimit         Rate          // TRIBUNE_POST_RATE_LIMIT
	LoginRateLimit        Rate          // TRIBUNE_LOGIN_RATE_LIMIT: per account and address
	LoginAddressRateLimit Rate          // TRIBUNE_LOGIN_ADDRESS_RATE_LIMIT
	LoginAccountRateLimit Rate          // TRIBUNE_LOGIN_ACCOUNT_RATE_LIMIT: from unknown addresses
	SignupRateLimit       Rate          // TRIBUNE_SIGNUP_RATE_LIMIT
	AutoModerateAs        string        // TRIBUNE_AUTO_MODERATE_AS
	ModerationWebhook     string        // TRIBUNE_MODERATION_WEBHOOK
	PasswordHashMemoryKiB uint32        // TRIBUNE_PASSWORD_MEMORY_KIB (argon2id)
	PasswordChecks        int           // TRIBUNE_PASSWORD_CHECKS: running at once
	PasswordCache         time.Duration // TRIBUNE_PASSWORD_CACHE

	// How long a post waits for its auto-moderators: all of them together,
	// and each webhook call among them.
	ModerationTimeout        time.Duration // TRIBUNE_MODERATION_TIMEOUT
	ModerationWebhookTimeout time.Duration // TRIBUNE_MODERATION_WEBHOOK_TIMEOUT

	// Logger receives the tribune's logs; nil means slog.Default(). Not a
	// setting: the command line builds it from the log options.
	Logger *slog.Logger
}

// Rate is "N per Period"; N == 0 turns the limit off.
type Rate struct {
	N      int
	Period time.Duration
}

// Off reports whether the limit is disabled.
func (r Rate) Off() bool { return r.N <= 0 }

func (r Rate) String() string {
	if r.Off() {
		return "0"
	}
	return fmt.Sprintf("%d/%s", r.N, FormatDuration(r.Period))
}

// Default returns the configuration every option starts from.
func Default() Config {
	var c Config
	for _, o := range options {
		if err := o.set(&c, o.def); err != nil {
			panic(fmt.Sprintf("config: bad default for %s: %v", o.env, err))
		}
	}
	return c
}

// Validate checks cross-option rules and normalises a few values. The
// constructor of the tribune calls it, so a host application that fills a
// Config by hand gets the same checks as the command line.
func (c *Config) Validate() error {
	var errs []string
	add := func(format string, a ...any) { errs = append(errs, fmt.Sprintf(format, a...)) }
	c.Prefix = strings.TrimRight(c.Prefix, "/")
	if c.Prefix != "" && !strings.HasPrefix(c.Prefix, "/") {
		add("TRIBUNE_PREFIX must start with / (got %q)", c.Prefix)
	}
	if strings.ContainsAny(c.Prefix, "{}? #") {
		add("TRIBUNE_PREFIX contains a character not allowed in a path: %q", c.Prefix)
	}
	if c.SiteURL != "" {
		u, err := url.Parse(c.SiteURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("TRIBUNE_SITE_URL must be an absolute http(s) URL (got %q)", c.SiteURL)
		}
		c.SiteURL = strings.TrimRight(c.SiteURL, "/")
	}
	if keywordDSN(c.DB) {
		// Taken for a file name, it would be shown in errors, password
		// and all: it is refused without being repeated.
		add("TRIBUNE_DB looks like a PostgreSQL keyword string (host=… dbname=…): give a URL instead, postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=…")
	}
	if c.Location == nil {
		c.Location = time.Local
	}
	if c.DefaultLimit < 1 {
		add("TRIBUNE_MESSAGES_DEFAULT_LIMIT must be at least 1")
	}
	if c.MaxLimit < 1 {
		add("TRIBUNE_MESSAGES_MAX_LIMIT must be at least 1")
	}
	if c.MaxLimit > 10000 {
		add("TRIBUNE_MESSAGES_MAX_LIMIT must be at most 10000")
	}
	if c.DefaultLimit > c.MaxLimit && c.MaxLimit >= 1 {
		// The hub keeps MaxLimit messages per channel: a larger default
		// could not be served from it.
		add("TRIBUNE_MESSAGES_DEFAULT_LIMIT (%d) must not exceed TRIBUNE_MESSAGES_MAX_LIMIT (%d)", c.DefaultLimit, c.MaxLimit)
	}
	if c.PostMaxLength < 1 {
		add("TRIBUNE_MESSAGES_POST_MAX_LENGTH must be at least 1")
	}
	if c.RefreshShifting < 1000 {
		add("TRIBUNE_INTERFACE_REFRESH_SHIFTING must be at least 1000 (milliseconds)")
	}
	if c.UACookieName == "" || c.SessionCookieName == "" || c.UACookieName == c.SessionCookieName {
		add("the name cookie and the session cookie need two different non-empty names")
	}
	if su := c.SmileysURL; su != "" && (!strings.Contains(su, "{0}") && !strings.Contains(su, "{name}") ||
		!strings.HasPrefix(su, "https://") && !strings.HasPrefix(su, "http://") && !strings.HasPrefix(su, "/")) {
		add("TRIBUNE_SMILEYS_URL must start with https://, http:// or / and contain {name} (or {0}), where the totoz name goes, or be empty")
	}
	if ts := c.TotozSearchURL; ts != "" && ts != "auto" {
		if u, err := url.Parse(strings.ReplaceAll(ts, "{query}", "x")); err != nil || (u.Scheme != "http" && u.Scheme != "https") ||
			u.Host == "" || !strings.Contains(ts, "{query}") {
			add("TRIBUNE_TOTOZ_SEARCH_URL must be an http(s) URL containing {query}, auto or empty")
		}
	}
	switch c.SQLiteSynchronous {
	case "full", "normal":
	default:
		add("TRIBUNE_SQLITE_SYNCHRONOUS must be full or normal")
	}
	switch c.AutoModerateAs {
	case "pending", "accept", "reject":
	default:
		add("TRIBUNE_AUTO_MODERATE_AS must be pending, accept or reject")
	}
	if c.ModerationWebhook != "" {
		if u, err := url.Parse(c.ModerationWebhook); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			add("TRIBUNE_MODERATION_WEBHOOK must be an http(s) URL")
		}
	}
	// A post waits for its moderators: their bound must leave it time to
	// be answered before the server's 30-second write timeout.
	if c.ModerationTimeout <= 0 || c.ModerationTimeout > 20*time.Second {
		add("TRIBUNE_MODERATION_TIMEOUT must be positive and at most 20s")
	}
	if c.ModerationWebhookTimeout <= 0 {
		add("TRIBUNE_MODERATION_WEBHOOK_TIMEOUT must be positive")
	} else if c.ModerationWebhookTimeout > c.ModerationTimeout && c.ModerationTimeout > 0 {
		add("TRIBUNE_MODERATION_WEBHOOK_TIMEOUT (%s) must not exceed TRIBUNE_MODERATION_TIMEOUT (%s)",
			c.ModerationWebhookTimeout, c.ModerationTimeout)
	}
	if c.MaxBodyBytes < 1024 {
		add("TRIBUNE_MAX_BODY_BYTES must be at least 1024")
	}
	if c.LastFMTimeout <= 0 {
		add("TRIBUNE_LASTFM_TIMEOUT must be positive")
	}
	if c.StreamKeepAlive < time.Second {
		add("TRIBUNE_STREAM_KEEPALIVE must be at least 1s")
	}
	if c.PasswordChecks < 1 {
		add("TRIBUNE_PASSWORD_CHECKS must be at least 1")
	}
	if c.PasswordCache < 0 {
		add("TRIBUNE_PASSWORD_CACHE must not be negative")
	}
	if c.MetricsAddr != "" {
		switch _, _, err := net.SplitHostPort(c.MetricsAddr); {
		case err != nil:
			add("TRIBUNE_METRICS_ADDR must be host:port (got %q)", c.MetricsAddr)
		case !c.Metrics:
			add("TRIBUNE_METRICS_ADDR is set but TRIBUNE_METRICS is off")
		case c.MetricsAddr == c.Addr:
			add("TRIBUNE_METRICS_ADDR must differ from TRIBUNE_ADDR (leave it empty to serve /metrics there)")
		}
	}
	if c.StreamMax < 0 {
		add("TRIBUNE_STREAM_MAX must be 0 (derived from the open-file limit) or a number of streams")
	}
	if len(errs) > 0 {
		return fmt.Errorf("config: %s", strings.Join(errs, "; "))
	}
	return nil
}

// EffectiveMaxBody is the body size a post may have: the configured limit,
// raised if needed so that a message of the maximum length, fully
// percent-encoded, still fits.
func (c *Config) EffectiveMaxBody() int64 {
	need := int64(c.PostMaxLength)*4*3 + 4096
	return max(c.MaxBodyBytes, need)
}

// keywordDSN tells whether dsn is a libpq keyword/value string, which the
// tribune does not read (it takes postgres:// URLs).
func keywordDSN(dsn string) bool {
	first, _, _ := strings.Cut(strings.TrimSpace(dsn), " ")
	key, _, ok := strings.Cut(first, "=")
	return ok && slices.Contains([]string{"host", "hostaddr", "port", "dbname", "user", "password", "passfile",
		"sslmode", "connect_timeout", "application_name", "options", "service"}, strings.TrimSpace(key))
}

// TotozSearch is the address template of the totoz server's search,
// {query} standing for the name typed, "" for none: TRIBUNE_TOTOZ_SEARCH_URL,
// or for "auto" totoz.eu's search.xml on the host of TRIBUNE_SMILEYS_URL
// (LinuxFr's and olcc's totoz server, and its mirrors, answer there).
func (c *Config) TotozSearch() string {
	if c.TotozSearchURL != "auto" {
		return c.TotozSearchURL
	}
	u, err := url.Parse(strings.NewReplacer("{name}", "x", "{0}", "x").Replace(c.SmileysURL))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	return u.Scheme + "://" + u.Host + "/search.xml?terms={query}"
}
