package config

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// option is one setting: its environment name (the contract), the flag that
// mirrors it, its default, its help and how to read and write it.
type option struct {
	env    string
	def    string
	help   string
	secret bool
	isBool bool // its flag may be given alone (-log-requests), meaning true
	set    func(c *Config, v string) error
	get    func(c *Config) string
}

// Flag is the command-line name of the option: TRIBUNE_MESSAGES_MAX_LIMIT
// becomes -messages-max-limit.
func (o option) flag() string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(o.env, "TRIBUNE_")), "_", "-")
}

// defaultTitles is our own list of taglines for the default channel, one
// picked at random per page.
var defaultTitles = []string{
	"Le bouchot du coin",
	"La mare aux canards",
	"Au comptoir des moules",
	"Radio Norloge",
	"Le salon des pinnipèdes",
	"Palmipède Express",
	"Sous le pont des totoz",
	"La criée de midi",
	"Ici on cause",
	"Tribune libre, café serré",
	"Bouchot d'altitude",
	"Le quai des horloges",
	"Coin! Coin! Coin!",
	"Moules-frites et serveurs",
	"Le bistrot des coincoins",
}

var options = []option{
	str("TRIBUNE_ADDR", "127.0.0.1:8080", "address the server listens on (host:port)", func(c *Config) *string { return &c.Addr }),
	str("TRIBUNE_DB", "tribune.db", "database: an SQLite file path (created by serve or migrate) or a postgres:// URL", func(c *Config) *string { return &c.DB }),
	str("TRIBUNE_PREFIX", "", "path the tribune is mounted under, e.g. /tribune (empty = site root)", func(c *Config) *string { return &c.Prefix }),
	str("TRIBUNE_SITE_URL", "", "public base URL (scheme://host[:port]) used in the XML site attribute and discovery; empty = taken from each request", func(c *Config) *string { return &c.SiteURL }),
	str("TRIBUNE_SITE_NAME", "", "site name shown in discovery files and page titles; empty = the site's host", func(c *Config) *string { return &c.SiteName }),
	{
		env: "TRIBUNE_TIMEZONE", def: "", help: "time zone of every clock and time value (IANA name such as Europe/Paris); empty = the machine's local zone",
		set: func(c *Config, v string) error {
			if v == "" || v == "Local" {
				c.Location = time.Local
				return nil
			}
			loc, err := time.LoadLocation(v)
			if err != nil {
				return fmt.Errorf("unknown time zone %q", v)
			}
			c.Location = loc
			return nil
		},
		get: func(c *Config) string {
			if c.Location == nil || c.Location == time.Local {
				return ""
			}
			return c.Location.String()
		},
	},
	boolean("TRIBUNE_MIGRATE", true, "bring the database schema up to date when serve starts", func(c *Config) *bool { return &c.Migrate }),

	boolean("TRIBUNE_LOCKED", false, "refuse anonymous visitors on every read and post route (403; the board's pages send a browser to the log-in page)", func(c *Config) *bool { return &c.Locked }),
	integer("TRIBUNE_MESSAGES_DEFAULT_LIMIT", 50, "number of messages a backend returns when no valid limit is given (at most TRIBUNE_MESSAGES_MAX_LIMIT)", func(c *Config) *int { return &c.DefaultLimit }),
	integer("TRIBUNE_MESSAGES_MAX_LIMIT", 100, "largest limit a backend accepts (larger ones are clamped)", func(c *Config) *int { return &c.MaxLimit }),
	integer("TRIBUNE_MESSAGES_POST_MAX_LENGTH", 500, "longest message accepted, in characters", func(c *Config) *int { return &c.PostMaxLength }),
	integer("TRIBUNE_INTERFACE_REFRESH_SHIFTING", 10000, "refresh interval advertised to clients and used by the web board, in milliseconds", func(c *Config) *int { return &c.RefreshShifting }),
	str("TRIBUNE_MESSAGES_UA_COOKIE_NAME", "djangotribune_user-agent", "cookie holding the name chosen with /name", func(c *Config) *string { return &c.UACookieName }),
	integer("TRIBUNE_MESSAGES_UA_COOKIE_MAXAGE", 1209600, "lifetime of the name cookie, in seconds", func(c *Config) *int { return &c.UACookieMaxAge }),
	integer("TRIBUNE_MESSAGES_UA_LENGTH_MIN", 3, "shortest user agent or name kept as identity (shorter ones post as coward)", func(c *Config) *int { return &c.UALengthMin }),
	str("TRIBUNE_SMILEYS_URL", "https://totoz.eu/img/{name}", "totoz server: the image address of a totoz, {name} (or djangotribune's {0}) standing for its name; the pages may load images from this host only; empty: no totoz image is ever loaded from outside the site", func(c *Config) *string { return &c.SmileysURL }),
	str("TRIBUNE_TOTOZ_SEARCH_URL", "auto", "totoz server's search, which the totoz palette's suggestions come from (through the tribune: browsers never ask it): its address, {query} standing for the name typed; it answers as totoz.eu's search.xml does (totozes, each totoz with its name); auto: https://HOST/search.xml?terms={query} on the host of TRIBUNE_SMILEYS_URL (none when that is empty or on the site); empty: no search, the palette suggests the totoz used recently on the board", func(c *Config) *string { return &c.TotozSearchURL }),
	rate("TRIBUNE_TOTOZ_SEARCH_RATE_LIMIT", "30/1m", "totoz searches one address may make (answers kept in memory for a while are not counted): N/DURATION, or 0 for no limit", func(c *Config) *Rate { return &c.TotozSearchRateLimit }),
	str("TRIBUNE_BAK_SESSION_NAME", "djangotribune_bak", "accepted for djangotribune compatibility; BaK filters live in the server-side session", func(c *Config) *string { return &c.BakSessionName }),
	integer("TRIBUNE_SESSION_MAX_OWNED_IDS", 50, "accepted for djangotribune compatibility; ownership is recorded on each message, so it is never forgotten", func(c *Config) *int { return &c.SessionMaxOwnedIDs }),
	integer("TRIBUNE_SAVE_URLS_BY_POST", 5, "number of URLs of a message kept in the URL archive", func(c *Config) *int { return &c.SaveURLsByPost }),
	integer("TRIBUNE_ARCHIVE_URLS_MAX_LIMIT", 30, "URL archive page size (urls/), as in djangotribune", func(c *Config) *int { return &c.ArchiveURLsMaxLimit }),
	{
		env: "TRIBUNE_TITLES_AVAILABLE", def: strings.Join(defaultTitles, "|"),
		help: "taglines of the default channel's board, separated by |, one picked at random for each page (empty: none); each board's heading is its channel's title",
		set: func(c *Config, v string) error {
			c.Titles = nil
			for t := range strings.SplitSeq(v, "|") {
				if t = strings.TrimSpace(t); t != "" {
					c.Titles = append(c.Titles, t)
				}
			}
			return nil
		},
		get: func(c *Config) string { return strings.Join(c.Titles, "|") },
	},
	str("TRIBUNE_LASTFM_API_URL", "http://ws.audioscrobbler.com/2.0/", "LastFM API endpoint used by /lastfm", func(c *Config) *string { return &c.LastFMAPIURL }),
	secret("TRIBUNE_LASTFM_API_KEY", "", "LastFM API key; /lastfm is refused while it is empty", func(c *Config) *string { return &c.LastFMAPIKey }),
	duration("TRIBUNE_LASTFM_TIMEOUT", 5*time.Second, "how long a /lastfm post waits for LastFM's answer", func(c *Config) *time.Duration { return &c.LastFMTimeout }),
	boolean("TRIBUNE_SHOW_TRUNCATED_URL", false, "show links as their truncated address instead of a [label]", func(c *Config) *bool { return &c.ShowTruncatedURL }),
	str("TRIBUNE_URL_LABELS_FILE", "", "file replacing the built-in URL label table (one 'REGEXP<TAB>LABEL' per line)", func(c *Config) *string { return &c.URLLabelsFile }),

	str("TRIBUNE_SESSION_COOKIE_NAME", "sessionid", "session cookie name", func(c *Config) *string { return &c.SessionCookieName }),
	integer("TRIBUNE_SESSION_COOKIE_AGE", 1209600, "session lifetime, in seconds", func(c *Config) *int { return &c.SessionCookieAge }),
	str("TRIBUNE_COOKIE_DOMAIN", "", "Domain attribute of the tribune's cookies (empty = the request host)", func(c *Config) *string { return &c.CookieDomain }),
	{
		env: "TRIBUNE_TRUSTED_PROXIES", def: "",
		help: "comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For is believed",
		set: func(c *Config, v string) error {
			c.TrustedProxies = nil
			for p := range strings.SplitSeq(v, ",") {
				p = strings.TrimSpace(p)
				if p == "" {
					continue
				}
				if !strings.Contains(p, "/") {
					a, err := netip.ParseAddr(p)
					if err != nil {
						return fmt.Errorf("bad address %q", p)
					}
					p = netip.PrefixFrom(a, a.BitLen()).String()
				}
				pr, err := netip.ParsePrefix(p)
				if err != nil {
					return fmt.Errorf("bad range %q", p)
				}
				if a := pr.Addr(); a.Is4In6() && pr.Bits() >= 96 {
					// Client addresses are unmapped: so must the ranges be.
					pr = netip.PrefixFrom(a.Unmap(), pr.Bits()-96)
				}
				c.TrustedProxies = append(c.TrustedProxies, pr.Masked())
			}
			return nil
		},
		get: func(c *Config) string {
			s := make([]string, len(c.TrustedProxies))
			for i, p := range c.TrustedProxies {
				s[i] = p.String()
			}
			return strings.Join(s, ",")
		},
	},
	str("TRIBUNE_SQLITE_SYNCHRONOUS", "full", "SQLite durability: full (an acknowledged post survives power loss) or normal (survives a crash of the process)", func(c *Config) *string { return &c.SQLiteSynchronous }),
	str("TRIBUNE_LOG_LEVEL", "info", "log level: debug, info, warn or error", func(c *Config) *string { return &c.LogLevel }),
	str("TRIBUNE_LOG_FORMAT", "text", "log format: text or json", func(c *Config) *string { return &c.LogFormat }),
	boolean("TRIBUNE_LOG_REQUESTS", false, "log every HTTP request: method, path and query (secret-looking values masked), address, user agent, status, size, duration, request id", func(c *Config) *bool { return &c.LogRequests }),
	boolean("TRIBUNE_METRICS", true, "serve Prometheus metrics at /metrics, at the site's root (on TRIBUNE_METRICS_ADDR when set)", func(c *Config) *bool { return &c.Metrics }),
	str("TRIBUNE_METRICS_ADDR", "", "separate address (host:port) serving /metrics, /healthz and /readyz, e.g. 127.0.0.1:9090; empty = /metrics on TRIBUNE_ADDR", func(c *Config) *string { return &c.MetricsAddr }),
	{
		env: "TRIBUNE_MAX_BODY_BYTES", def: "65536", help: "largest request body accepted (413 above); raised automatically to fit a maximal message",
		set: func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			c.MaxBodyBytes = n
			return err
		},
		get: func(c *Config) string { return strconv.FormatInt(c.MaxBodyBytes, 10) },
	},
	duration("TRIBUNE_SHUTDOWN_TIMEOUT", 5*time.Second, "how long serve waits for requests in flight when stopping (live streams end at once, cleanly)", func(c *Config) *time.Duration { return &c.ShutdownTimeout }),
	duration("TRIBUNE_STREAM_KEEPALIVE", 20*time.Second, "interval of keep-alive comments on live streams", func(c *Config) *time.Duration { return &c.StreamKeepAlive }),
	integer("TRIBUNE_STREAM_MAX_PER_ADDRESS", 30, "live streams one client (an IPv4 address, an IPv6 /64) may hold open at once", func(c *Config) *int { return &c.StreamMaxPerAddress }),
	integer("TRIBUNE_STREAM_MAX", 0, "live streams the server holds open at once, 503 beyond; 0: half the process's open-file limit, at most 20000", func(c *Config) *int { return &c.StreamMax }),
	boolean("TRIBUNE_SIGNUP", true, "let visitors create accounts", func(c *Config) *bool { return &c.Signup }),
	boolean("TRIBUNE_CAPTCHA", false, "anonymous posts from the web board must solve a captcha", func(c *Config) *bool { return &c.Captcha }),
	boolean("TRIBUNE_REMOTE_ANONYMOUS_POST", true, "let anonymous remote clients post (they cannot solve captchas)", func(c *Config) *bool { return &c.RemoteAnonymousPost }),
	rate("TRIBUNE_POST_RATE_LIMIT", "20/10s", "posts one visitor (address, or account when logged in) may make, and commands, counted apart: N/DURATION, or 0 for no limit", func(c *Config) *Rate { return &c.PostRateLimit }),
	rate("TRIBUNE_SIGNUP_RATE_LIMIT", "5/1h", "accounts one address may create: N/DURATION, or 0 for no limit", func(c *Config) *Rate { return &c.SignupRateLimit }),
	rate("TRIBUNE_LOGIN_RATE_LIMIT", "10/1m", "failed log-ins allowed per account and address (an IPv6 /64 is one address), counted when the check starts: N/DURATION, or 0 for no limit", func(c *Config) *Rate { return &c.LoginRateLimit }),
	rate("TRIBUNE_LOGIN_ADDRESS_RATE_LIMIT", "30/1m", "failed log-ins allowed per address, whatever the accounts: N/DURATION, or 0 for no limit", func(c *Config) *Rate { return &c.LoginAddressRateLimit }),
	rate("TRIBUNE_LOGIN_ACCOUNT_RATE_LIMIT", "100/1h", "failed log-ins allowed per account from addresses that have not logged in to it in the last 30 days (in this process), against guesses spread over many addresses: N/DURATION, or 0 for no limit", func(c *Config) *Rate { return &c.LoginAccountRateLimit }),
	str("TRIBUNE_AUTO_MODERATE_AS", "pending", "verdict of an auto-moderated channel when no moderator gives a valid rating: pending, accept or reject", func(c *Config) *string { return &c.AutoModerateAs }),
	str("TRIBUNE_MODERATION_WEBHOOK", "", "URL called with a JSON event whenever a message enters the moderation queue", func(c *Config) *string { return &c.ModerationWebhook }),
	duration("TRIBUNE_MODERATION_TIMEOUT", 10*time.Second, "longest the auto-moderators may take over one post, together (at most 20s); one still running then counts as a timeout", func(c *Config) *time.Duration { return &c.ModerationTimeout }),
	duration("TRIBUNE_MODERATION_WEBHOOK_TIMEOUT", 2*time.Second, "longest one webhook auto-moderator may take to answer (at most TRIBUNE_MODERATION_TIMEOUT); no answer counts as a timeout", func(c *Config) *time.Duration { return &c.ModerationWebhookTimeout }),
	{
		env: "TRIBUNE_PASSWORD_MEMORY_KIB", def: "65536", help: "memory cost of the argon2id password hash, in KiB",
		set: func(c *Config, v string) error {
			n, err := strconv.ParseUint(v, 10, 32)
			if err == nil && n < 64 {
				err = fmt.Errorf("at least 64")
			}
			c.PasswordHashMemoryKiB = uint32(n)
			return err
		},
		get: func(c *Config) string { return strconv.FormatUint(uint64(c.PasswordHashMemoryKiB), 10) },
	},
	integer("TRIBUNE_PASSWORD_CHECKS", 2, "password checks run at once, each holding TRIBUNE_PASSWORD_MEMORY_KIB; twice as many more may wait a few seconds, and beyond them a log-in is answered 503 with Retry-After", func(c *Config) *int { return &c.PasswordChecks }),
	duration("TRIBUNE_PASSWORD_CACHE", 5*time.Minute, "how long a process remembers a right user name and password (as a keyed hash) so that HTTP Basic clients do not pay a password check per request; a password change is honoured at once; 0 turns it off", func(c *Config) *time.Duration { return &c.PasswordCache }),
}

func str(env, def, help string, field func(*Config) *string) option {
	return option{env: env, def: def, help: help,
		set: func(c *Config, v string) error { *field(c) = v; return nil },
		get: func(c *Config) string { return *field(c) },
	}
}

func secret(env, def, help string, field func(*Config) *string) option {
	o := str(env, def, help, field)
	o.secret = true
	return o
}

func integer(env string, def int, help string, field func(*Config) *int) option {
	return option{env: env, def: strconv.Itoa(def), help: help,
		set: func(c *Config, v string) error {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return fmt.Errorf("not an integer: %q", v)
			}
			*field(c) = n
			return nil
		},
		get: func(c *Config) string { return strconv.Itoa(*field(c)) },
	}
}

func boolean(env string, def bool, help string, field func(*Config) *bool) option {
	return option{env: env, def: strconv.FormatBool(def), help: help, isBool: true,
		set: func(c *Config, v string) error {
			b, err := parseBool(v)
			*field(c) = b
			return err
		},
		get: func(c *Config) string { return strconv.FormatBool(*field(c)) },
	}
}

func duration(env string, def time.Duration, help string, field func(*Config) *time.Duration) option {
	return option{env: env, def: FormatDuration(def), help: help,
		set: func(c *Config, v string) error {
			d, err := time.ParseDuration(strings.TrimSpace(v))
			if err != nil {
				return fmt.Errorf("not a duration: %q", v)
			}
			*field(c) = d
			return nil
		},
		get: func(c *Config) string { return FormatDuration(*field(c)) },
	}
}

// FormatDuration writes d as the documentation does: "1h", "5m", "1h30m",
// not time.Duration's "1h0m0s" (which reads back the same).
func FormatDuration(d time.Duration) string {
	s := d.String()
	if t, ok := strings.CutSuffix(s, "m0s"); ok {
		s = t + "m"
	}
	if t, ok := strings.CutSuffix(s, "h0m"); ok {
		s = t + "h"
	}
	return s
}

func rate(env, def, help string, field func(*Config) *Rate) option {
	return option{env: env, def: def, help: help,
		set: func(c *Config, v string) error {
			r, err := ParseRate(v)
			*field(c) = r
			return err
		},
		get: func(c *Config) string { return field(c).String() },
	}
}

// ParseRate reads "N/DURATION" ("20/10s") or "0".
func ParseRate(v string) (Rate, error) {
	v = strings.TrimSpace(v)
	if v == "0" || v == "" {
		return Rate{}, nil
	}
	n, d, ok := strings.Cut(v, "/")
	count, err := strconv.Atoi(n)
	if !ok || err != nil || count < 0 {
		return Rate{}, fmt.Errorf("want N/DURATION such as 20/10s, or 0: %q", v)
	}
	period, err := time.ParseDuration(d)
	if err != nil || period <= 0 {
		return Rate{}, fmt.Errorf("want N/DURATION such as 20/10s, or 0: %q", v)
	}
	return Rate{N: count, Period: period}, nil
}

// parseBool accepts the spellings operators coming from Python settings use.
func parseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on", "t", "y":
		return true, nil
	case "0", "false", "no", "off", "f", "n", "":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean: %q", v)
}
