package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/tribune-go/tribune/internal/bak"
	"github.com/tribune-go/tribune/internal/commands"
	"github.com/tribune-go/tribune/internal/i18n"
	"github.com/tribune-go/tribune/internal/limit"
	"github.com/tribune-go/tribune/internal/markup"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
)

// The way a message travels in, shared by the remote post routes and the
// web board: validation, command, moderation, rendering, the store's group
// commit (which updates the hub before answering).

// outcome tells what became of a post.
type outcome struct {
	message    model.Message    // ID != 0 when published
	submission model.Submission // ID != 0 when a moderation record was written
	command    bool             // the text was a command
	notice     string           // what the command did, for the web board
}

// contentError is a form error on the message field, in djangotribune's
// format: "* content: <message>".
func contentError(msg string) *Error {
	return httpError(http.StatusBadRequest, "* content: "+msg)
}

// submit validates and posts content to the request's channel for user
// (nil: anonymous) and sess.
func (s *Server) submit(w http.ResponseWriter, r *http.Request, content string, user *model.User, sess *session) (outcome, error) {
	var out outcome
	lang := langOf(r)
	text := markup.Sanitize(content)
	// Commands post nothing, so they spend none of the post budget but a
	// budget of their own (they write the session); /lastfm posts.
	if commands.IsCommand(text) && !commands.Posts(text) {
		if err := s.allow(r, user, s.commandLimit, "error.too_many_commands"); err != nil {
			return out, err
		}
	} else if err := s.allow(r, user, s.posts, "error.too_many_posts"); err != nil {
		return out, err
	}
	if text == "" {
		return out, contentError(i18n.T(lang, "error.required"))
	}
	if n := utf8.RuneCountInString(text); n > s.cfg.PostMaxLength {
		return out, contentError(i18n.T(lang, "error.too_long", s.cfg.PostMaxLength, n))
	}
	if commands.IsCommand(text) {
		out.command = true
		post, notice, err := s.runCommand(w, r, text, user, sess)
		if err != nil || post == "" {
			out.notice = notice
			return out, err
		}
		// The command posts a message in its place (/lastfm).
		text = markup.Sanitize(post)
		if n := utf8.RuneCountInString(text); n > s.cfg.PostMaxLength {
			return out, contentError(i18n.T(lang, "error.too_long", s.cfg.PostMaxLength, n))
		}
	}
	res := s.markup.Render(text)
	m := model.Message{
		ChannelID: visitOf(r).channel.ID,
		Info:      s.identity(r),
		Raw:       res.Text,
		Web:       res.Web,
		Remote:    res.Remote,
		IP:        visitOf(r).ip,
	}
	if user != nil {
		m.AuthorID, m.Login = user.ID, user.Username
	} else {
		// An anonymous poster needs a session token for its messages to be
		// marked as its own.
		s.ensureToken(w, sess)
	}
	m.SessionID = sess.id
	channel := visitOf(r).channel
	status, reason := s.moderate(r.Context(), channel, &m, len(res.URLs))
	posted, err := s.st.Post(r.Context(), store.Post{Message: m, URLs: s.archivedURLs(res.URLs), Status: status, Reason: reason})
	if errors.Is(err, store.ErrNotFound) {
		// The channel was deleted since the registry was read (by
		// another process: ours would have told it).
		s.channels.stale()
		return out, httpError(http.StatusNotFound, i18n.T(lang, "error.not_found"))
	}
	if err != nil {
		return out, err
	}
	out.message, out.submission = posted.Message, posted.Submission
	if out.submission.Status == model.StatusPending {
		s.notifyQueue(r, out.submission, channel)
	}
	return out, nil
}

// runCommand runs the command in text. It returns the message to post in
// its place, if any, and the notice for the user.
func (s *Server) runCommand(w http.ResponseWriter, r *http.Request, text string, user *model.User, sess *session) (post, notice string, err error) {
	st := sess.data.Bak
	if st == nil {
		st = bak.New()
	}
	env := &commands.Env{Lang: langOf(r), User: user, Bak: st, Filters: filterStore{s.st}, LastFM: s.lastfm, NameMin: s.cfg.UALengthMin}
	res, _, err := commands.Run(r.Context(), text, env)
	if err != nil {
		if commands.IsError(err) {
			return "", "", contentError(err.Error())
		}
		return "", "", err
	}
	if res.SetName {
		http.SetCookie(w, s.nameCookie(res.Name))
	}
	if res.BakChanged {
		sess.data.Bak = st
		if err := s.saveSession(w, r, sess); err != nil {
			return "", "", err
		}
	}
	return res.Post, res.Notice, nil
}

// filterStore keeps BaK rules in a user's profile.
type filterStore struct{ st *store.Store }

func (f filterStore) SaveRules(ctx context.Context, userID int64, rules []bak.Rule) error {
	fs := make([]store.Filter, len(rules))
	for i, r := range rules {
		fs[i] = store.Filter{Target: r.Target, Kind: r.Kind, Value: r.Pattern}
	}
	return f.st.SaveFilters(ctx, userID, fs)
}

func (f filterStore) LoadRules(ctx context.Context, userID int64) ([]bak.Rule, error) {
	fs, err := f.st.Filters(ctx, userID)
	if err != nil {
		return nil, err
	}
	rules := make([]bak.Rule, 0, len(fs))
	for _, f := range fs {
		// Rules saved by hand in the database are checked like typed ones.
		if bak.ValidTarget(f.Target) && bak.ValidKind(f.Kind) && f.Value != "" {
			rules = append(rules, bak.Rule{Target: f.Target, Kind: f.Kind, Pattern: f.Value})
		}
	}
	return rules, nil
}

// allowPost applies the per-visitor post rate limit: per account for
// allow spends one of the visitor's tokens in l: by account when logged
// in, by address otherwise.
func (s *Server) allow(r *http.Request, user *model.User, l *limit.Keyed, key string) error {
	k := "ip:" + visitOf(r).ip
	if user != nil {
		k = "user:" + strconv.FormatInt(user.ID, 10)
	}
	if ok, wait := l.Allow(k); !ok {
		return tooMany(langOf(r), key, wait)
	}
	return nil
}

// archivedURLs keeps the first TRIBUNE_SAVE_URLS_BY_POST distinct URLs.
func (s *Server) archivedURLs(urls []string) []string {
	var keep []string
	for _, u := range urls {
		if len(keep) == s.cfg.SaveURLsByPost {
			break
		}
		dup := false
		for _, k := range keep {
			dup = dup || k == u
		}
		if !dup {
			keep = append(keep, u)
		}
	}
	return keep
}
