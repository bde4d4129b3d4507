package board_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/bak"
	"github.com/tribune-go/tribune/internal/board"
	"github.com/tribune-go/tribune/internal/commands"
	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/i18n"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

// fixture is a board over a throw-away database.
type fixture struct {
	t  *testing.T
	b  *board.Board
	st *store.Store
}

func newBoard(t *testing.T, be storetest.Backend, mutate func(*config.Config)) *fixture {
	t.Helper()
	cfg := config.Default()
	cfg.Location = time.UTC
	cfg.PasswordHashMemoryKiB = 64 // fast hashes in tests
	cfg.PostRateLimit = config.Rate{}
	cfg.SignupRateLimit = config.Rate{}
	if mutate != nil {
		mutate(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st := storetest.Open(t, be, store.Options{Location: cfg.Location, Logger: log})
	b, err := board.New(board.Deps{Config: &cfg, Store: st, Logger: log, Reserved: []string{"remote", "post"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { b.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	return &fixture{t: t, b: b, st: st}
}

// each runs fn on a board over every available database.
func each(t *testing.T, mutate func(*config.Config), fn func(t *testing.T, f *fixture)) {
	for _, be := range storetest.Backends(t) {
		t.Run(be.Name, func(t *testing.T) { fn(t, newBoard(t, be, mutate)) })
	}
}

func (f *fixture) channel(slug string) model.Channel {
	f.t.Helper()
	c, ok, err := f.b.Channel(context.Background(), slug)
	if err != nil || !ok {
		f.t.Fatalf("channel %q: %v %v", slug, ok, err)
	}
	return c
}

// anonymous is a poster without an account, on a fresh session.
func anonymous(via board.Via) board.Poster {
	return board.Poster{Session: &board.Session{}, UserAgent: "Mozilla/5.0 (test)", Address: "192.0.2.7", Lang: i18n.EN, Via: via}
}

func TestPostAMessage(t *testing.T) {
	each(t, nil, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		def := f.channel(model.DefaultSlug)
		p := anonymous(board.ViaRemote)
		out, err := f.b.Post(ctx, def, p, "12:00:00 <b>hello</b> http://example.com/")
		if err != nil {
			t.Fatal(err)
		}
		m := out.Message
		if m.ID == 0 || out.Command || out.Submission.ID != 0 || m.Info != "Mozilla/5.0 (test)" || m.IP != "192.0.2.7" {
			t.Fatalf("outcome %+v", out)
		}
		if !strings.Contains(m.Web, "<b>hello</b>") || !strings.Contains(m.Web, `href="http://example.com/"`) {
			t.Fatalf("render %q", m.Web)
		}
		// An anonymous poster got a session token, whose hash marks the
		// message as its own.
		if p.Session.Token == "" || !p.Session.Issued() || !p.Session.Owns(&m) {
			t.Fatalf("session %+v owns nothing", p.Session)
		}
		// Reads see it, from memory or the store.
		ms, _, err := f.b.List(ctx, def.ID, 0, 10, nil)
		if err != nil || len(ms) != 1 || ms[0].ID != m.ID {
			t.Fatalf("list %+v %v", ms, err)
		}
		// A chosen name is the identity, over the user agent.
		p.Name = "  Cassandre "
		if out, err := f.b.Post(ctx, def, p, "again"); err != nil || out.Message.Info != "Cassandre" {
			t.Fatalf("named post %+v %v", out.Message, err)
		}
	})
}

func TestPostRefusals(t *testing.T) {
	each(t, func(c *config.Config) {
		c.PostMaxLength = 10
		c.RemoteAnonymousPost = false
		c.PostRateLimit = config.Rate{N: 2, Period: time.Hour}
	}, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		def := f.channel(model.DefaultSlug)
		if _, err := f.b.Post(ctx, def, anonymous(board.ViaRemote), "x"); !errors.Is(err, board.ErrAnonymousPost) {
			t.Fatalf("anonymous remote post: %v", err)
		}
		p := anonymous(board.ViaBoard)
		var tooLong *board.TooLongError
		var content *board.ContentError
		if _, err := f.b.Post(ctx, def, p, "ééééééééééé"); !errors.As(err, &tooLong) || tooLong.Got != 11 || tooLong.Max != 10 || !errors.As(err, &content) {
			t.Fatalf("11 characters: %v", err)
		}
		var limit *board.LimitError
		if _, err := f.b.Post(ctx, def, p, ""); !errors.Is(err, board.ErrEmpty) {
			t.Fatalf("empty: %v", err)
		}
		if _, err := f.b.Post(ctx, def, p, "third"); !errors.As(err, &limit) || limit.Limit != board.LimitPosts || limit.Wait <= 0 {
			t.Fatalf("third post in the hour: %v", err)
		}
		// Commands have a budget of their own.
		if out, err := f.b.Post(ctx, def, p, "/name abc"); err != nil || !out.Command {
			t.Fatalf("command after the posts' budget: %+v %v", out, err)
		}
		// A channel deleted behind the board's back.
		c, err := f.b.CreateChannel(ctx, "gone", "Gone")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.st.DeleteChannel(ctx, "gone"); err != nil {
			t.Fatal(err)
		}
		u := &model.User{ID: 1, Username: "x"}
		if _, err := f.b.Post(ctx, c, board.Poster{User: u, Session: &board.Session{}, Address: "192.0.2.8"}, "hello"); !errors.Is(err, board.ErrChannelGone) {
			t.Fatalf("post to a deleted channel: %v", err)
		}
	})
}

func TestCommandsReturnTheirEffects(t *testing.T) {
	each(t, nil, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		def := f.channel(model.DefaultSlug)
		p := anonymous(board.ViaRemote)
		out, err := f.b.Post(ctx, def, p, "/name Cassandre")
		if err != nil || !out.Command || !out.Effects.SetName || out.Effects.Name != "Cassandre" || out.Effects.SaveSession ||
			out.Message.ID != 0 || out.Notice == "" {
			t.Fatalf("/name: %+v %v", out, err)
		}
		out, err = f.b.Post(ctx, def, p, "/bak add ua troll")
		if err != nil || !out.Effects.SaveSession || out.Effects.SetName {
			t.Fatalf("/bak add: %+v %v", out, err)
		}
		// The session changed in memory only, until the caller saves it.
		if r := p.Session.Data.Bak.Rules; len(r) != 1 || r[0] != (bak.Rule{Target: "ua", Kind: "==", Pattern: "troll"}) {
			t.Fatalf("rules %+v", r)
		}
		if p.Session.Exists {
			t.Fatal("the board saved the session itself")
		}
		if err := f.b.SaveSession(ctx, p.Session); err != nil {
			t.Fatal(err)
		}
		again, err := f.b.LoadSession(ctx, p.Session.Token)
		if err != nil || !again.Exists || len(again.Data.Bak.Rules) != 1 {
			t.Fatalf("reloaded %+v %v", again, err)
		}
		// A command's refusal is a content error, in the poster's words.
		var cmd *commands.Error
		p.Lang = i18n.FR
		if _, err := f.b.Post(ctx, def, p, "/bak add nick x"); !errors.As(err, &cmd) || !strings.Contains(cmd.Msg, "nick") {
			t.Fatalf("bad target: %v", err)
		}
		// The filters form does what /bak does, without the text.
		notice, eff, err := f.b.EditFilters(ctx, again, i18n.EN, board.FilterAdd, bak.Rule{Target: "message", Kind: "*=", Pattern: " spam \n eggs "})
		if err != nil || !eff.SaveSession || notice == "" || again.Data.Bak.Rules[1].Pattern != "spam eggs" {
			t.Fatalf("EditFilters: %q %+v %v %+v", notice, eff, err, again.Data.Bak)
		}
		for op, want := range map[string]error{"shuffle": board.ErrFilterOp} {
			if _, _, err := f.b.EditFilters(ctx, again, i18n.EN, op, bak.Rule{}); !errors.Is(err, want) {
				t.Errorf("op %q: %v", op, err)
			}
		}
		for _, tc := range []struct {
			r    bak.Rule
			want error
		}{
			{bak.Rule{Target: "nick", Kind: "*=", Pattern: "x"}, board.ErrFilterTarget},
			{bak.Rule{Target: "ua", Kind: "%%", Pattern: "x"}, board.ErrFilterKind},
			{bak.Rule{Target: "ua", Kind: "*=", Pattern: "  "}, board.ErrFilterPattern},
		} {
			if _, _, err := f.b.EditFilters(ctx, again, i18n.EN, board.FilterAdd, tc.r); !errors.Is(err, tc.want) {
				t.Errorf("%+v: %v, want %v", tc.r, err, tc.want)
			}
		}
	})
}

func TestModeratedChannel(t *testing.T) {
	each(t, nil, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		if _, err := f.b.CreateChannel(ctx, "mod", "Moderated"); err != nil {
			t.Fatal(err)
		}
		if err := f.b.SetModeration(ctx, "mod", "auto", []string{"words:spam#no spam", "links:1"}, "pending"); err != nil {
			t.Fatal(err)
		}
		c := f.channel("mod")
		p := anonymous(board.ViaRemote)
		// A forbidden word: rejected, with the moderator's reason.
		out, err := f.b.Post(ctx, c, p, "buy spam now")
		if err != nil || out.Message.ID != 0 || out.Submission.Status != model.StatusRejected || out.Submission.Reason != "no spam" {
			t.Fatalf("spam: %+v %v", out, err)
		}
		// Two links: the renderer's count, the links moderator rejects.
		out, err = f.b.Post(ctx, c, p, "http://a.example/ and https://b.example/")
		if err != nil || out.Submission.Status != model.StatusRejected {
			t.Fatalf("two links: %+v %v", out, err)
		}
		// Nothing says yes or no: the fallback holds it for a human.
		out, err = f.b.Post(ctx, c, p, "hello http://example.com/page")
		if err != nil || out.Message.ID != 0 || out.Submission.Status != model.StatusPending {
			t.Fatalf("neutral: %+v %v", out, err)
		}
		pending := out.Submission
		if ms, _, _ := f.b.List(ctx, c.ID, 0, 10, nil); len(ms) != 0 {
			t.Fatalf("published before the decision: %+v", ms)
		}
		// Only moderators decide.
		user := &model.User{ID: 1, Username: "nobody", Role: model.RoleUser}
		if _, err := f.b.Accept(ctx, nil, pending.ID); !errors.Is(err, board.ErrLoginNeeded) {
			t.Fatalf("accept by nobody: %v", err)
		}
		if _, err := f.b.Accept(ctx, user, pending.ID); !errors.Is(err, board.ErrForbidden) {
			t.Fatalf("accept by a user: %v", err)
		}
		modo, err := f.b.CreateUser(ctx, "modo", "modo-password", model.RoleModerator)
		if err != nil {
			t.Fatal(err)
		}
		q, err := f.b.Queue(ctx, &modo)
		if err != nil || q.Count != 1 || len(q.Pending) != 1 || q.Pending[0].ID != pending.ID || len(q.Recent) != 2 {
			t.Fatalf("queue %+v %v", q, err)
		}
		sub, err := f.b.Accept(ctx, &modo, pending.ID)
		if err != nil || sub.Status != model.StatusAccepted || sub.DecidedBy != "modo" || sub.MessageID == 0 {
			t.Fatalf("accept: %+v %v", sub, err)
		}
		if _, err := f.b.Accept(ctx, &modo, pending.ID); !errors.Is(err, board.ErrNotPending) {
			t.Fatalf("accept twice: %v", err)
		}
		if _, err := f.b.Reject(ctx, &modo, 9999, "x"); !errors.Is(err, board.ErrNoSubmission) {
			t.Fatalf("reject of nothing: %v", err)
		}
		ms, _, err := f.b.List(ctx, c.ID, 0, 10, nil)
		if err != nil || len(ms) != 1 || ms[0].ID != sub.MessageID || !p.Session.Owns(&ms[0]) {
			t.Fatalf("published: %+v %v", ms, err)
		}
		// Removal, with a reason trimmed and cut to postman's length.
		m, err := f.b.Remove(ctx, &modo, ms[0].ID, "  "+strings.Repeat("r", 200)+"  ")
		if err != nil || m.ID != ms[0].ID {
			t.Fatalf("remove: %+v %v", m, err)
		}
		mine, err := f.b.SubmissionsOf(ctx, p.Session)
		if err != nil || len(mine) != 3 || mine[0].Status != model.StatusRemoved || len(mine[0].Reason) != 120 {
			t.Fatalf("the author's records: %+v %v", mine, err)
		}
		if _, err := f.b.Remove(ctx, &modo, ms[0].ID, ""); !errors.Is(err, board.ErrNoMessage) {
			t.Fatalf("remove twice: %v", err)
		}
	})
}

func TestChannelRules(t *testing.T) {
	each(t, nil, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		for _, tc := range []struct {
			slug, title string
			want        error
		}{
			{"a b", "x", board.ErrSlugChars},
			{"café", "x", board.ErrSlugChars},
			{strings.Repeat("a", 76), "x", board.ErrSlugLength},
			{"", "x", board.ErrSlugLength},
			{"Remote", "x", board.ErrSlugReserved},
			{"troie", "   ", board.ErrBadTitle},
			{"troie", strings.Repeat("é", 101), board.ErrBadTitle},
		} {
			var ce *board.ChannelError
			if _, err := f.b.CreateChannel(ctx, tc.slug, tc.title); !errors.Is(err, tc.want) || !errors.As(err, &ce) || ce.Slug != tc.slug {
				t.Errorf("create %q %q: %v, want %v", tc.slug, tc.title, err, tc.want)
			}
		}
		// Titles are trimmed, at creation and renaming alike.
		c, err := f.b.CreateChannel(ctx, "troie", "  La guerre de Troie ")
		if err != nil || c.Title != "La guerre de Troie" {
			t.Fatalf("create: %+v %v", c, err)
		}
		if _, err := f.b.CreateChannel(ctx, "troie", "Again"); !errors.Is(err, board.ErrChannelExists) || err.Error() != `channel "troie" already exists` {
			t.Fatalf("create twice: %v", err)
		}
		if title, err := f.b.RenameChannel(ctx, "troie", " Ilion "); err != nil || title != "Ilion" {
			t.Fatalf("rename: %q %v", title, err)
		}
		if _, err := f.b.RenameChannel(ctx, "atlantis", "Lost"); !errors.Is(err, board.ErrNoChannel) || err.Error() != `no channel "atlantis"` {
			t.Fatalf("rename unknown: %v", err)
		}
		if err := f.b.DeleteChannel(ctx, model.DefaultSlug); !errors.Is(err, board.ErrDefaultChannel) {
			t.Fatalf("delete the default channel: %v", err)
		}
		// A policy is checked whole: every bad part is named.
		var pe *board.PolicyError
		err = f.b.SetModeration(ctx, "troie", "sometimes", []string{"links:x", "nope:1"}, "maybe")
		if !errors.As(err, &pe) || !pe.BadMode || !pe.BadFallback || len(pe.Specs) != 2 || pe.Specs[0].Spec != "links:x" {
			t.Fatalf("bad policy: %#v", err)
		}
		if c := f.channel("troie"); c.Mode != "open" {
			t.Fatalf("a refused policy was stored: %+v", c)
		}
		if err := f.b.DeleteChannel(ctx, "troie"); err != nil {
			t.Fatal(err)
		}
		if err := f.b.DeleteChannel(ctx, "troie"); !errors.Is(err, board.ErrNoChannel) {
			t.Fatalf("delete twice: %v", err)
		}
	})
}

func TestAccounts(t *testing.T) {
	each(t, func(c *config.Config) { c.LoginRateLimit = config.Rate{N: 2, Period: time.Hour} }, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		anon := &board.Session{}
		sess, err := f.b.SignUp(ctx, anon, "Superman", "kryptonite", "kryptonite", "192.0.2.1")
		if err != nil || sess.User == nil || sess.User.Username != "Superman" || !sess.Exists || sess.Token == "" {
			t.Fatalf("sign-up: %+v %v", sess, err)
		}
		var ue *board.UserError
		for _, tc := range []struct {
			name, pw, again string
			want            error
		}{
			{"superman", "kryptonite", "kryptonite", board.ErrUserExists},
			{"a b", "kryptonite", "kryptonite", board.ErrBadUsername},
			{"lois", "short", "short", board.ErrBadPassword},
			{"lois", "kryptonite", "other", board.ErrPasswordsDiffer},
		} {
			if _, err := f.b.SignUp(ctx, anon, tc.name, tc.pw, tc.again, "192.0.2.1"); !errors.Is(err, tc.want) {
				t.Errorf("sign-up %q: %v, want %v", tc.name, err, tc.want)
			}
		}
		if _, err := f.b.CreateUser(ctx, "SUPERMAN", "kryptonite", model.RoleUser); !errors.As(err, &ue) || ue.Error() != `user "SUPERMAN" already exists` {
			t.Fatalf("create in another case: %v", err)
		}
		// A password change ends the other sessions and opens a new one.
		fresh, err := f.b.ChangePassword(ctx, sess, "kryptonite", "new-password", "new-password", "192.0.2.4")
		if err != nil || fresh.Token == sess.Token || fresh.User.Username != "Superman" {
			t.Fatalf("change: %+v %v", fresh, err)
		}
		if old, err := f.b.LoadSession(ctx, sess.Token); err != nil || old.User != nil {
			t.Fatalf("the old session lives on: %+v %v", old, err)
		}
		// Roles: an admin cannot demote themselves.
		admin, err := f.b.CreateUser(ctx, "chief", "chief-password", model.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.b.SetRole(ctx, &admin, "Chief", model.RoleUser); !errors.Is(err, board.ErrDemoteSelf) {
			t.Fatalf("self-demotion: %v", err)
		}
		if err := f.b.SetRole(ctx, fresh.User, "chief", model.RoleUser); !errors.Is(err, board.ErrForbidden) {
			t.Fatalf("a user sets a role: %v", err)
		}
		if err := f.b.SetRole(ctx, &admin, "nobody", model.RoleUser); !errors.Is(err, board.ErrNoUser) {
			t.Fatalf("role of nobody: %v", err)
		}
		if err := f.b.SetRole(ctx, nil, "superman", model.RoleModerator); err != nil {
			t.Fatalf("role from the command line: %v", err)
		}
		// Wrong credentials, then the limit.
		for range 2 {
			if _, err := f.b.LogIn(ctx, anon, "superman", "wrong", "192.0.2.2"); !errors.Is(err, board.ErrBadCredentials) {
				t.Fatalf("wrong password: %v", err)
			}
		}
		var limit *board.LimitError
		if _, err := f.b.LogIn(ctx, anon, "superman", "new-password", "192.0.2.2"); !errors.As(err, &limit) || limit.Limit != board.LimitLogins {
			t.Fatalf("third try for the account from the same address: %v", err)
		}
		// Another address is not kept out by the first one's failures.
		if _, err := f.b.LogIn(ctx, anon, "superman", "new-password", "192.0.2.3"); err != nil {
			t.Fatalf("right password from another address: %v", err)
		}
	})
}

// TestCaptchaAnswers: each captcha takes one try; an id never drawn takes
// none; spaces around the answer do not count.
func TestCaptchaAnswers(t *testing.T) {
	each(t, func(c *config.Config) { c.Captcha = true }, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		def := f.channel(model.DefaultSlug)
		post := func(id, answer string) error {
			p := anonymous(board.ViaBoard)
			p.CaptchaID, p.Captcha = id, answer
			_, err := f.b.Post(ctx, def, p, "hello")
			return err
		}
		id := f.b.NewCaptchaID()
		digits, err := f.b.DrawCaptcha(ctx, id, "192.0.2.1")
		if err != nil || len(digits) != board.CaptchaLen {
			t.Fatalf("drawn %q %v", digits, err)
		}
		if again, _ := f.b.DrawCaptcha(ctx, id, "192.0.2.1"); again != digits {
			t.Fatal("drawing again changed the digits")
		}
		// Ids the board did not offer, or offered too long ago, are not
		// drawn.
		expired := board.CaptchaIDAt(f.b, time.Now().Add(-board.CaptchaLifetime-time.Second))
		future := board.CaptchaIDAt(f.b, time.Now().Add(time.Hour))
		tampered := []byte(f.b.NewCaptchaID())
		tampered[3] ^= 1
		for _, bad := range []string{"", "x", expired, future, string(tampered), id + "A", id[:len(id)-1]} {
			if d, err := f.b.DrawCaptcha(ctx, bad, "192.0.2.1"); !errors.Is(err, board.ErrNoCaptcha) {
				t.Errorf("%q drawn: %q %v", bad, d, err)
			}
		}
		if err := post(expired, "123456"); !errors.Is(err, board.ErrWrongCaptcha) {
			t.Fatalf("an expired captcha passed: %v", err)
		}
		if err := post(id, "000000x"); !errors.Is(err, board.ErrWrongCaptcha) {
			t.Fatalf("a wrong answer passed: %v", err)
		}
		// One try: the right digits no longer work after a wrong answer.
		if err := post(id, digits); !errors.Is(err, board.ErrWrongCaptcha) {
			t.Fatalf("a used captcha passed: %v", err)
		}
		// An id never drawn cannot be answered.
		if err := post(f.b.NewCaptchaID(), "123456"); !errors.Is(err, board.ErrWrongCaptcha) {
			t.Fatalf("an undrawn captcha passed: %v", err)
		}
		id2 := f.b.NewCaptchaID()
		digits2, _ := f.b.DrawCaptcha(ctx, id2, "192.0.2.1")
		if err := post(id2, " "+digits2+" "); err != nil {
			t.Fatalf("the right answer failed: %v", err)
		}
		// Commands that post nothing need none; logged-in posters neither.
		p := anonymous(board.ViaBoard)
		if _, err := f.b.Post(ctx, def, p, "/name Cassandre"); err != nil {
			t.Fatalf("/name without a captcha: %v", err)
		}
		u, _ := f.b.CreateUser(ctx, "member", "member-password", model.RoleUser)
		p.User = &u
		if _, err := f.b.Post(ctx, def, p, "hello"); err != nil {
			t.Fatalf("a member's post: %v", err)
		}
	})
}

// An unknown slug is answered from the channel list in memory, without a
// query each time; a channel created by another process is still found
// at once.
func TestUnknownSlugsFromMemory(t *testing.T) {
	be := storetest.Backends(t)[0]
	f := newBoard(t, be, nil)
	other := storetest.Open(t, be, store.Options{Location: time.UTC})
	if _, err := other.CreateChannel(t.Context(), "fresh", "Fresh"); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := f.b.Channel(t.Context(), "fresh"); !ok || err != nil {
		t.Fatalf("channel created by another process: %v %v", ok, err)
	}
	board.SetMissEvery(f.b, time.Hour)
	f.st.Close()
	for _, slug := range []string{"favicon.ico", "nope", "nope2", "wp-login.php"} {
		if _, ok, err := f.b.Channel(t.Context(), slug); ok || err != nil {
			t.Errorf("%s with the store closed: %v %v", slug, ok, err)
		}
	}
}

// TestHangingUpBuysNoCheck: an asker who leaves while its password is
// checked keeps its try spent (the check goes on without it), so that
// hanging up again and again is limited like waiting for the answers.
func TestHangingUpBuysNoCheck(t *testing.T) {
	f := newBoard(t, storetest.Backends(t)[0], func(c *config.Config) {
		c.LoginRateLimit = config.Rate{N: 3, Period: time.Minute}
	})
	gone, cancel := context.WithCancel(t.Context())
	cancel()
	for range 3 {
		if _, err := f.b.CheckPassword(gone, "bob", "wrong", "192.0.2.1"); err == nil {
			t.Fatal("a check passed")
		}
	}
	var limit *board.LimitError
	if _, err := f.b.CheckPassword(t.Context(), "bob", "wrong", "192.0.2.1"); !errors.As(err, &limit) {
		t.Fatalf("after three hang-ups: %v, want the limit", err)
	}
}

// TestCaptchaRowsBounded: a captcha answered (right or wrong) cannot be
// drawn again and answered anew, and drawing new captchas is limited per
// address like posting (pages offer ids for free).
func TestCaptchaRowsBounded(t *testing.T) {
	each(t, func(c *config.Config) {
		c.Captcha = true
		c.PostRateLimit = config.Rate{N: 3, Period: time.Hour}
	}, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		def := f.channel(model.DefaultSlug)
		id := f.b.NewCaptchaID()
		digits, err := f.b.DrawCaptcha(ctx, id, "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		p := anonymous(board.ViaBoard)
		p.CaptchaID, p.Captcha = id, "wrong!"
		if _, err := f.b.Post(ctx, def, p, "hello"); !errors.Is(err, board.ErrWrongCaptcha) {
			t.Fatalf("wrong answer: %v", err)
		}
		if _, err := f.b.DrawCaptcha(ctx, id, "192.0.2.1"); !errors.Is(err, board.ErrNoCaptcha) {
			t.Fatalf("a used captcha drawn again: %v", err)
		}
		p.Captcha = digits
		if _, err := f.b.Post(ctx, def, p, "hello"); !errors.Is(err, board.ErrWrongCaptcha) {
			t.Fatalf("the right digits for a used captcha: %v", err)
		}
		// Drawing: 3 an hour per address, the two above (the used id's
		// try included) and one more.
		if _, err := f.b.DrawCaptcha(ctx, f.b.NewCaptchaID(), "192.0.2.1"); err != nil {
			t.Fatalf("third draw: %v", err)
		}
		var limit *board.LimitError
		if _, err := f.b.DrawCaptcha(ctx, f.b.NewCaptchaID(), "192.0.2.1"); !errors.As(err, &limit) {
			t.Fatalf("fourth draw: %v", err)
		}
		if _, err := f.b.DrawCaptcha(ctx, f.b.NewCaptchaID(), "192.0.2.2"); err != nil {
			t.Fatalf("another address: %v", err)
		}
	})
}
