package board

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tribune-go/tribune/internal/auth"
	"github.com/tribune-go/tribune/internal/moderation"
	"github.com/tribune-go/tribune/internal/store"
)

// The board's refusals. Each says what is wrong in English (for logs and
// the command line); the HTTP layer words them in the asker's language
// from their types, with errors.Is and errors.As. Any other error is a
// failure of the server.

// ContentError refuses the text of a post: djangotribune's form error on
// the field "content". Err is ErrEmpty, ErrWrongCaptcha, a *TooLongError or
// a command's refusal (*commands.Error, already in the poster's language).
type ContentError struct{ Err error }

func (e *ContentError) Error() string { return "content: " + e.Err.Error() }
func (e *ContentError) Unwrap() error { return e.Err }

// What a ContentError may hold.
var (
	ErrEmpty        = errors.New("the message is empty")
	ErrWrongCaptcha = errors.New("the captcha's answer is wrong")
)

// TooLongError is a message longer than the tribune takes, in characters.
type TooLongError struct{ Max, Got int }

func (e *TooLongError) Error() string {
	return fmt.Sprintf("the message has %d characters, at most %d are allowed", e.Got, e.Max)
}

// Limit names a rate limit.
type Limit int

// The rate limits.
const (
	LimitPosts    Limit = iota // messages (TRIBUNE_POST_RATE_LIMIT)
	LimitCommands              // commands that post nothing, with a budget of their own
	LimitLogins                // failed log-ins (per account and address, per address, per account)
	LimitSignups               // new accounts, per address
	LimitTotoz                 // totoz searches, per address
)

// LimitError is a rate limit's refusal: try again after Wait.
type LimitError struct {
	Limit Limit
	Wait  time.Duration
}

func (e *LimitError) Error() string { return fmt.Sprintf("too many requests: try again in %s", e.Wait) }

// ErrStorageFull is a write the database refused because it or its disk
// is full: nothing was stored, and trying later may work.
var ErrStorageFull = store.ErrFull

// ErrBusy: too many password checks are running or waiting.
var ErrBusy = errors.New("the server is busy checking passwords")

// BusyError is ErrBusy with the time to wait before trying again.
type BusyError struct{ Wait time.Duration }

func (e *BusyError) Error() string { return fmt.Sprintf("%v: try again in %s", ErrBusy, e.Wait) }
func (e *BusyError) Unwrap() error { return ErrBusy }

// Refusals of posts, accounts and moderation.
var (
	ErrAnonymousPost   = errors.New("clients must log in to post (TRIBUNE_REMOTE_ANONYMOUS_POST is off)")
	ErrChannelGone     = errors.New("the channel was deleted")
	ErrBadCredentials  = errors.New("wrong user name or password")
	ErrSignupClosed    = errors.New("sign-up is closed")
	ErrLoginNeeded     = errors.New("log in first")
	ErrForbidden       = errors.New("your role does not allow it")
	ErrNoSubmission    = errors.New("no such message in the moderation records")
	ErrNotPending      = errors.New("this message is not pending")
	ErrNoMessage       = errors.New("no such published message")
	ErrDemoteSelf      = errors.New("an admin cannot take away their own admin role")
	ErrBadPassword     = errors.New("bad password")
	ErrBadUsername     = errors.New("bad user name")
	ErrUserExists      = errors.New("the user already exists")
	ErrLookAlike       = errors.New("the user name looks like an existing one")
	ErrMixedScripts    = auth.ErrMixedScripts // a kind of ErrBadUsername
	ErrNoUser          = errors.New("no such user")
	ErrPasswordsDiffer = errors.New("the two passwords differ")
	ErrBadInterval     = errors.New("the refresh interval is 2 to 600 seconds")
	ErrBadTheme        = errors.New("the theme is light, dark or empty")
)

// Refusals of the filters form (EditFilters).
var (
	ErrFilterOp      = errors.New("unknown filter operation")
	ErrFilterTarget  = errors.New("a filter's target is ua, author or message")
	ErrFilterKind    = errors.New("unknown filter kind")
	ErrFilterPattern = errors.New("a filter needs a pattern")
	ErrFilterTooLong = errors.New("a filter's pattern is no longer than a message")
)

// UserError is about a named account: Err is ErrUserExists, ErrLookAlike,
// ErrNoUser, or a *RuleError (ErrBadUsername, possibly ErrMixedScripts;
// ErrBadPassword).
type UserError struct {
	Name string
	Err  error
}

func (e *UserError) Error() string {
	switch {
	case errors.Is(e.Err, ErrUserExists):
		return fmt.Sprintf("user %q already exists", e.Name)
	case errors.Is(e.Err, ErrNoUser):
		return fmt.Sprintf("no user %q", e.Name)
	case errors.Is(e.Err, ErrLookAlike):
		return fmt.Sprintf("user name %q looks like an existing one", e.Name)
	}
	return e.Err.Error()
}

func (e *UserError) Unwrap() error { return e.Err }

// RuleError is a broken rule of a kind (ErrBadUsername, ErrBadPassword…),
// worded by the rule itself (auth's).
type RuleError struct{ Kind, Rule error }

func (e *RuleError) Error() string   { return e.Rule.Error() }
func (e *RuleError) Unwrap() []error { return []error{e.Kind, e.Rule} }

// What a ChannelError may hold, besides a *PolicyError.
var (
	ErrNoChannel      = errors.New("no such channel")
	ErrChannelExists  = errors.New("the channel already exists")
	ErrDefaultChannel = errors.New("the default channel cannot be deleted")
	ErrSlugLength     = errors.New("a channel slug has 1 to 75 characters")
	ErrSlugChars      = errors.New("a channel slug holds only letters, digits, - and _")
	ErrSlugReserved   = errors.New("the slug is used by the tribune's own pages and cannot name a channel")
	ErrBadTitle       = errors.New("a channel title has 1 to 100 characters")
)

// ChannelError is about one channel, named by its slug.
type ChannelError struct {
	Slug string
	Err  error
}

func (e *ChannelError) Error() string {
	switch {
	case errors.Is(e.Err, ErrNoChannel):
		return fmt.Sprintf("no channel %q", e.Slug)
	case errors.Is(e.Err, ErrChannelExists):
		return fmt.Sprintf("channel %q already exists", e.Slug)
	case errors.Is(e.Err, ErrSlugReserved):
		return fmt.Sprintf("%q: %v", e.Slug, e.Err)
	}
	return e.Err.Error()
}

func (e *ChannelError) Unwrap() error { return e.Err }

// PolicyError refuses a moderation policy, naming each part that is wrong.
type PolicyError struct {
	Mode        string // the mode given
	BadMode     bool   // it is not open, auto or manual
	Fallback    string // the verdict given ("" is the site's)
	BadFallback bool   // it is not pending, accept or reject
	// Specs are the auto-moderator specs refused, each saying why.
	Specs []*moderation.SpecError
	errs  []error // the moderation package's own words
}

func (e *PolicyError) Error() string {
	words := make([]string, len(e.errs))
	for i, err := range e.errs {
		words[i] = err.Error()
	}
	return strings.Join(words, "; ")
}
