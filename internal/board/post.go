package board

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tribune-go/tribune/internal/bak"
	"github.com/tribune-go/tribune/internal/commands"
	"github.com/tribune-go/tribune/internal/i18n"
	"github.com/tribune-go/tribune/internal/limit"
	"github.com/tribune-go/tribune/internal/markup"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/moderation"
	"github.com/tribune-go/tribune/internal/store"
)

// The way a message travels in: checks, command, rendering, moderation,
// the store's group commit (which updates the hub before Post returns).

// Via tells where a post comes from.
type Via int

const (
	// ViaRemote is a remote post route: coincoins and scripts. Anonymous
	// posts need TRIBUNE_REMOTE_ANONYMOUS_POST.
	ViaRemote Via = iota
	// ViaBoard is the web board's own form: anonymous posters answer the
	// captcha when TRIBUNE_CAPTCHA is on.
	ViaBoard
)

// Poster is who posts, and from where.
type Poster struct {
	User    *model.User // nil: anonymous
	Session *Session    // the poster's session; nil: a new one
	// Name is the identity chosen with /name, as the client keeps it ("" for
	// none); UserAgent is the client's, as received. The message's identity
	// is the first of them that is usable (see Identity).
	Name      string
	UserAgent string
	Address   string // the client's IP address
	Lang      i18n.Lang
	Via       Via
	// CaptchaID and Captcha are the board form's captcha and its answer.
	CaptchaID, Captcha string
	// Site is the tribune's public URL as the poster reached it, for links
	// in notifications.
	Site string
}

// Outcome is what became of a post.
type Outcome struct {
	Message    model.Message    // ID != 0 when published
	Submission model.Submission // ID != 0 when a moderation record was written
	Command    bool             // the text was a command
	Notice     string           // what the command did, in the poster's language
	Effects    Effects
}

// Effects are what a command asks of the poster's client and session, for
// the caller to apply.
type Effects struct {
	// SetName says /name ran: Name is the name to keep, "" to forget it.
	SetName bool
	Name    string
	// SaveSession says that the session's data changed (its filters): save
	// it with SaveSession.
	SaveSession bool
}

// Post posts text to channel c for p: a message, or a command (which may
// post a message in its place). Refusals are typed errors: *ContentError,
// *LimitError, ErrAnonymousPost, ErrChannelGone. A message that moderation
// rejected is not an error: see Outcome.Submission.
func (b *Board) Post(ctx context.Context, c model.Channel, p Poster, text string) (Outcome, error) {
	var out Outcome
	if p.Session == nil {
		p.Session = &Session{} // a client that keeps no session
	}
	if p.Via == ViaRemote && p.User == nil && !b.cfg.RemoteAnonymousPost {
		return out, ErrAnonymousPost
	}
	text = markup.Sanitize(text)
	command, posts := commands.IsCommand(text), commands.Posts(text)
	// Commands that post nothing spend none of the post budget but a
	// budget of their own (they write the session); /lastfm posts.
	if command && !posts {
		if err := allow(ctx, b.commands, LimitCommands, p); err != nil {
			return out, b.limited("commands", err)
		}
	} else if err := allow(ctx, b.posts, LimitPosts, p); err != nil {
		return out, b.limited("posts", err)
	}
	// A captcha guards what gets posted: commands that post nothing
	// (/name, /bak…) need none. Checked after the rate limit, so that
	// wrong answers are limited too.
	if p.Via == ViaBoard && b.cfg.Captcha && p.User == nil && (!command || posts) {
		if err := b.solveCaptcha(ctx, p.CaptchaID, p.Captcha); err != nil {
			return out, err
		}
	}
	if err := b.checkLength(text); err != nil {
		return out, err
	}
	if command {
		out.Command = true
		post, err := b.runCommand(ctx, text, p, &out)
		if err != nil || post == "" {
			return out, err
		}
		// The command posts a message in its place (/lastfm).
		text = markup.Sanitize(post)
		if err := b.checkLength(text); err != nil {
			return out, err
		}
	}
	res := b.markup.Render(text)
	m := model.Message{ChannelID: c.ID, Info: b.Identity(p.Name, p.UserAgent), Raw: res.Text, Web: res.Web,
		Remote: res.Remote, IP: p.Address}
	if p.User != nil {
		m.AuthorID, m.Login = p.User.ID, p.User.Username
	} else {
		// An anonymous poster needs a session token for its messages to be
		// marked as its own.
		b.EnsureToken(p.Session)
	}
	m.SessionID = p.Session.ID
	status, reason, said := b.moderate(ctx, c, &m, len(res.URLs))
	// Decided, the post is recorded even if its poster has hung up since:
	// otherwise whether it is depends on a race with the group committer.
	posted, err := b.st.Post(context.WithoutCancel(ctx), store.Post{Message: m, URLs: b.archivedURLs(res.URLs),
		Status: status, Reason: reason, Moderators: said})
	if errors.Is(err, store.ErrNotFound) {
		// The channel was deleted since the registry was read (by
		// another process: ours would have told it).
		b.channels.stale()
		return out, ErrChannelGone
	}
	if err != nil {
		return out, err
	}
	out.Message, out.Submission = posted.Message, posted.Submission
	b.posted(ctx, c, p, status, out.Submission)
	if out.Submission.Status == model.StatusPending {
		b.notifyQueue(out.Submission, c, p.Site)
	}
	return out, nil
}

// posted counts an acknowledged post, and its channel's auto-moderators'
// decision. A rejection is in the audit trail; the others, a line per post
// on a busy channel, are at DEBUG.
func (b *Board) posted(ctx context.Context, c model.Channel, p Poster, status string, sub model.Submission) {
	outcome := "published"
	if status == model.StatusPending || status == model.StatusRejected {
		outcome = status
	}
	b.metrics.Posted(viaMetric(p.Via), outcome)
	if status == "" || b.gate(c).Mode != moderation.ModeAuto {
		return // open, or held for a moderator without asking anyone
	}
	b.metrics.Decided("auto", status)
	level := slog.LevelDebug
	if status == model.StatusRejected {
		level = slog.LevelInfo
	}
	b.log.LogAttrs(ctx, level, "audit", slog.String("event", "moderation"), slog.String("decision", status),
		slog.String("by", "auto"), slog.Int64("submission", sub.ID), slog.String("channel", channelName(c.Slug)),
		slog.String("reason", sub.Reason))
}

// checkLength refuses an empty text and one longer than
// TRIBUNE_MESSAGES_POST_MAX_LENGTH characters.
func (b *Board) checkLength(text string) error {
	if text == "" {
		return &ContentError{Err: ErrEmpty}
	}
	if n := utf8.RuneCountInString(text); n > b.cfg.PostMaxLength {
		return &ContentError{Err: &TooLongError{Max: b.cfg.PostMaxLength, Got: n}}
	}
	return nil
}

// allow spends one of the poster's tokens in l: by account when logged in,
// by address otherwise (an IPv6 /64 is one address: limit.AddressKey).
func allow(ctx context.Context, l limit.Limiter, which Limit, p Poster) error {
	k := "ip:" + limit.AddressKey(p.Address)
	if p.User != nil {
		k = "user:" + strconv.FormatInt(p.User.ID, 10)
	}
	ok, wait, err := l.Take(ctx, k)
	if err != nil {
		return err
	}
	if !ok {
		return &LimitError{Limit: which, Wait: wait}
	}
	return nil
}

// runCommand runs the command in text, recording what it did in out. It
// returns the message to post in its place, if any.
func (b *Board) runCommand(ctx context.Context, text string, p Poster, out *Outcome) (post string, err error) {
	env := b.commandEnv(p.Session, p.User, p.Lang)
	res, _, err := commands.Run(ctx, text, env)
	if err != nil {
		if commands.IsError(err) {
			return "", &ContentError{Err: err}
		}
		return "", err
	}
	b.applyResult(p.Session, env, res, &out.Effects)
	out.Notice = res.Notice
	return res.Post, nil
}

// commandEnv is what a command of user (the poster's account, which HTTP
// Basic may give) on sess may see and use.
func (b *Board) commandEnv(sess *Session, user *model.User, lang i18n.Lang) *commands.Env {
	st := sess.Data.Bak
	if st == nil {
		st = bak.New()
	}
	return &commands.Env{Lang: lang, User: user, Bak: st, Filters: filterStore{b.st}, LastFM: b.lastfm,
		NameMin: b.cfg.UALengthMin}
}

// applyResult keeps a command's changes to the session's filters and says
// what the caller must do.
func (b *Board) applyResult(sess *Session, env *commands.Env, res commands.Result, eff *Effects) {
	if res.SetName {
		eff.SetName, eff.Name = true, res.Name
	}
	if res.BakChanged {
		sess.Data.Bak = env.Bak
		eff.SaveSession = true
	}
}

// Filter operations of EditFilters.
const (
	FilterAdd    = "add"    // add Rule
	FilterRemove = "remove" // remove Rule
	FilterOn     = "on"     // apply the rules
	FilterOff    = "off"    // keep the rules without applying them
	FilterReset  = "reset"  // remove every rule
	FilterSave   = "save"   // keep the rules in the account's profile
	FilterLoad   = "load"   // take them back from the profile
)

// EditFilters changes sess's BaK filters without typing a command: the
// rules and the notices are those of /bak. A bad operation or rule is one of
// the ErrFilter… errors; a refusal of /bak's (no account to save to, too
// many rules) a *ContentError. The caller saves the session when the
// effects say so.
func (b *Board) EditFilters(ctx context.Context, sess *Session, lang i18n.Lang, op string, r bak.Rule) (notice string, eff Effects, err error) {
	switch op {
	case FilterAdd, FilterRemove:
		// Cleaned as a message's text, on one line: a pattern cannot hold
		// a line break, nor be longer than a message.
		r.Pattern = strings.Join(strings.Fields(markup.Sanitize(r.Pattern)), " ")
		switch {
		case !bak.ValidTarget(r.Target):
			return "", eff, ErrFilterTarget
		case !bak.ValidKind(r.Kind):
			return "", eff, ErrFilterKind
		case r.Pattern == "":
			return "", eff, ErrFilterPattern
		case utf8.RuneCountInString(r.Pattern) > b.cfg.PostMaxLength:
			return "", eff, ErrFilterTooLong
		}
	case FilterOn, FilterOff, FilterReset, FilterSave, FilterLoad:
	default:
		return "", eff, ErrFilterOp
	}
	env := b.commandEnv(sess, sess.User, lang)
	res, err := commands.Filter(ctx, env, op, r)
	if err != nil {
		if commands.IsError(err) {
			return "", eff, &ContentError{Err: err}
		}
		return "", eff, err
	}
	b.applyResult(sess, env, res, &eff)
	return res.Notice, eff, nil
}

// archivedURLs keeps the first TRIBUNE_SAVE_URLS_BY_POST distinct URLs.
func (b *Board) archivedURLs(urls []string) []string {
	var keep []string
	for _, u := range urls {
		if len(keep) == b.cfg.SaveURLsByPost {
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
