package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/model"
)

func TestClientIP(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32")}
	cases := []struct {
		peer    string
		proxies []netip.Prefix
		xff     string
		want    string
	}{
		{"192.0.2.1:1234", nil, "", "192.0.2.1"},
		{"[::ffff:192.0.2.1]:1234", nil, "", "192.0.2.1"}, // one client, one address
		{"[2001:db8::1]:1234", nil, "", "2001:db8::1"},    // the full address is kept
		{"192.0.2.1:1234", nil, "198.51.100.7", "192.0.2.1"},
		{"192.0.2.1:1234", proxies, "198.51.100.7", "192.0.2.1"}, // not a proxy of ours
		{"127.0.0.1:1234", proxies, "198.51.100.7", "198.51.100.7"},
		{"[::ffff:127.0.0.1]:1234", proxies, "::ffff:198.51.100.7", "198.51.100.7"},
		{"127.0.0.1:1234", proxies, "203.0.113.9, 198.51.100.7, 10.1.2.3", "198.51.100.7"},
		{"127.0.0.1:1234", proxies, "198.51.100.7, 10.1.2.3", "198.51.100.7"},
		{"127.0.0.1:1234", proxies, "10.9.9.9, 10.1.2.3", "10.9.9.9"},     // proxies all the way
		{"127.0.0.1:1234", proxies, "garbage, 10.1.2.3", "10.1.2.3"},      // the last address believed
		{"127.0.0.1:1234", proxies, "2001:db8:1:2::a", "2001:db8:1:2::a"}, // IPv6 behind an IPv4 proxy
		{"127.0.0.1:1234", proxies, "", "127.0.0.1"},                      // the proxy's own request
		{"not an address", nil, "", "not an address"},                     // kept as is
		{"[fe80::1%eth0]:1234", nil, "", "fe80::1%eth0"},                  // with its zone
	}
	for _, tc := range cases {
		s := &Server{cfg: &config.Config{TrustedProxies: tc.proxies}}
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.peer
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if got := s.clientIP(r); got != tc.want {
			t.Errorf("peer %s, proxies %v, X-Forwarded-For %q: %q, want %q", tc.peer, tc.proxies, tc.xff, got, tc.want)
		}
	}
}

// behindProxy trusts the test clients' address (192.0.2.1) as a proxy,
// so that each request says its client's address in X-Forwarded-For.
func behindProxy(c *config.Config) {
	c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("192.0.2.1/32")}
}

// One client is one IPv4 address, written plain or IPv4-mapped, or one
// IPv6 /64: its machines share the post, command and sign-up limits. An
// attacker with a /64 (or a dual-stack proxy in front) gets no more than
// one address's share.
func TestRateLimitsPerClient(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) {
		behindProxy(c)
		c.PostRateLimit = config.Rate{N: 2, Period: time.Hour}
		c.SignupRateLimit = config.Rate{N: 1, Period: time.Hour}
	})
	clients := []struct {
		name          string
		first, second string // two addresses of one client
		other         string // another client
	}{
		{"IPv4 mapped or not", "::ffff:198.51.100.7", "198.51.100.7", "198.51.100.8"},
		{"one IPv6 /64", "2001:db8:1:2::a", "2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:3::a"},
	}
	from := func(addr string) *client {
		c := tr.client("Agent")
		c.header.Set("X-Forwarded-For", addr)
		return c
	}
	for i, cl := range clients {
		t.Run(cl.name, func(t *testing.T) {
			for _, what := range []string{"post", "command"} {
				send := func(addr string) int {
					content := fmt.Sprintf("a %s of client %d", what, i)
					if what == "command" {
						content = "/name Agent" // posts nothing: the commands' budget
					}
					return from(addr).post("/post/", "content", content).Code
				}
				for _, addr := range []string{cl.first, cl.first} {
					if code := send(addr); code != http.StatusOK {
						t.Fatalf("%s from %s: %d", what, addr, code)
					}
				}
				if code := send(cl.second); code != http.StatusTooManyRequests {
					t.Errorf("a third %s from %s (after two from %s): %d, want 429", what, cl.second, cl.first, code)
				}
				if code := send(cl.other); code != http.StatusOK {
					t.Errorf("%s from another client %s: %d", what, cl.other, code)
				}
			}
			signup := func(addr, name string) int {
				return from(addr).post("/signup", "username", name, "password", "kryptonite", "password2", "kryptonite").Code
			}
			if code := signup(cl.first, fmt.Sprintf("first%d", i)); code != http.StatusOK {
				t.Fatalf("sign-up from %s: %d", cl.first, code)
			}
			if code := signup(cl.second, fmt.Sprintf("second%d", i)); code != http.StatusTooManyRequests {
				t.Errorf("second sign-up, from %s: %d, want 429", cl.second, code)
			}
			if code := signup(cl.other, fmt.Sprintf("other%d", i)); code != http.StatusOK {
				t.Errorf("sign-up from another client %s: %d", cl.other, code)
			}
		})
	}
}

// The address kept with a message and with its moderation record is the
// full one, unmapped.
func TestStoredAddressUnmapped(t *testing.T) {
	eachTribune(t, behindProxy, func(t *testing.T, tr *tribune) {
		ctx := t.Context()
		tr.st.CreateChannel(ctx, "mod", "mod")
		tr.st.SetModeration(ctx, "mod", "manual", nil, "")
		author := tr.client("Author")
		author.header.Set("X-Forwarded-For", "::ffff:198.51.100.7")
		id := author.say("/", "from a dual-stack proxy")
		m, err := tr.st.Message(ctx, id)
		if err != nil || m.IP != "198.51.100.7" {
			t.Fatalf("message %d: address %q, %v", id, m.IP, err)
		}
		v6 := tr.client("Author")
		v6.header.Set("X-Forwarded-For", "2001:db8:1:2::a")
		if id := v6.say("/", "from IPv6"); mustMessage(t, tr, id).IP != "2001:db8:1:2::a" {
			t.Fatalf("IPv6 message: address %q", mustMessage(t, tr, id).IP)
		}
		if w := author.post("/mod/post/", "content", "held"); w.Code != http.StatusAccepted {
			t.Fatalf("moderated post: %d %s", w.Code, w.Body)
		}
		tr.createUser(t, "modo", model.RoleModerator)
		modo := tr.client("modo")
		modo.login(t, "modo")
		var q pendingList
		decodeJSONInto(t, modo.get("/moderation/pending.json"), &q)
		if len(q.Submissions) != 1 || q.Submissions[0].Address != "198.51.100.7" {
			t.Fatalf("the moderators see %+v", q.Submissions)
		}
	})
}

func mustMessage(t *testing.T, tr *tribune, id int64) model.Message {
	t.Helper()
	m, err := tr.st.Message(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
