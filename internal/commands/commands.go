// Package commands runs the action commands people type in the message
// field: a message starting with "/" and a known command name is a command
// (an unknown "/word", such as "/me", is an ordinary message).
//
// Commands are a table: name → handler, with the arguments and the rights
// each needs checked in one place. A handler validates its arguments and
// returns either an error (the remote routes answer 400 with it, and
// nothing changes) or a Result saying what to do: set the name cookie, keep
// the session's BaK filters, or post a message in place of the command.
package commands

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/tribune-go/tribune/internal/bak"
	"github.com/tribune-go/tribune/internal/i18n"
	"github.com/tribune-go/tribune/internal/model"
)

// Env is what a command may see and use.
type Env struct {
	Lang i18n.Lang
	User *model.User // nil for anonymous visitors
	// Bak is the session's filter state, never nil: commands change it in
	// place and say so in Result.BakChanged.
	Bak *bak.State
	// Filters saves and loads a registered user's BaK rules.
	Filters FilterStore
	// LastFM looks up what a LastFM user is playing now.
	LastFM *LastFM
	// NameMin is the shortest name /name keeps (shorter ones remove it).
	NameMin int
}

// FilterStore keeps BaK rules in a registered user's profile.
type FilterStore interface {
	SaveRules(ctx context.Context, userID int64, rules []bak.Rule) error
	LoadRules(ctx context.Context, userID int64) ([]bak.Rule, error)
}

// Result is what a command asks for.
type Result struct {
	// SetName is true when /name ran: Name is the new name, "" to remove it.
	SetName bool
	Name    string
	// BakChanged says that Env.Bak changed and must be stored.
	BakChanged bool
	// Post, when not empty, is the message to post in place of the
	// command (/lastfm).
	Post string
	// Notice tells the user what happened, in their language.
	Notice string
}

// Error is a command's refusal: bad arguments, missing rights, a service
// that failed. Its message is in the user's language.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func fail(lang i18n.Lang, key string, args ...any) error {
	return &Error{Msg: i18n.T(lang, key, args...)}
}

// command is one entry of the table.
type command struct {
	// minArgs is how many arguments the command needs; the first argument
	// is then the command's option.
	minArgs int
	// registered says the command is for logged-in users only.
	registered bool
	// posts says the command posts a message in its place, so it counts
	// against the post rate limit like a message.
	posts bool
	run   func(ctx context.Context, env *Env, args []string) (Result, error)
}

// table is every command, by name (case-sensitive, as in djangotribune).
var table = map[string]command{
	"name":   {run: runName},
	"nick":   {run: runName},
	"bak":    {minArgs: 1, run: runBak},
	"lastfm": {minArgs: 1, posts: true, run: runLastFM},
}

// Parse tells whether text is a command and splits it. Arguments are split
// on single spaces, so repeated spaces give empty arguments, as in
// djangotribune.
func Parse(text string) (name string, args []string, ok bool) {
	if !strings.HasPrefix(text, "/") {
		return "", nil, false
	}
	fields := strings.Split(text[1:], " ")
	if _, ok := table[fields[0]]; !ok {
		return "", nil, false
	}
	return fields[0], fields[1:], true
}

// IsCommand reports whether text would run a command.
func IsCommand(text string) bool {
	_, _, ok := Parse(text)
	return ok
}

// Posts reports whether text is a command that may post a message in its
// place (/lastfm); the other commands post nothing.
func Posts(text string) bool {
	name, _, ok := Parse(text)
	return ok && table[name].posts
}

// Run runs the command in text. ok is false when text is not a command (it
// is then an ordinary message).
func Run(ctx context.Context, text string, env *Env) (res Result, ok bool, err error) {
	name, args, ok := Parse(text)
	if !ok {
		return Result{}, false, nil
	}
	c := table[name]
	if len(args) < c.minArgs || c.minArgs > 0 && args[0] == "" {
		return Result{}, true, fail(env.Lang, "command.need_argument")
	}
	if c.registered && env.User == nil {
		return Result{}, true, fail(env.Lang, "command.registered_only")
	}
	res, err = c.run(ctx, env, args)
	return res, true, err
}

// runName is /name and /nick: the rest of the line becomes the name shown
// instead of the user agent; nothing, or a name of fewer than NameMin
// characters (runes, not bytes: "éé" is two), removes it.
func runName(_ context.Context, env *Env, args []string) (Result, error) {
	name := strings.TrimSpace(strings.Join(args, " "))
	if utf8.RuneCountInString(name) < env.NameMin {
		return Result{SetName: true, Notice: i18n.T(env.Lang, "command.name_removed")}, nil
	}
	return Result{SetName: true, Name: name, Notice: i18n.T(env.Lang, "command.name_set", name)}, nil
}

// IsError reports whether err is a command's refusal (as opposed to a
// failure of the server).
func IsError(err error) bool {
	var e *Error
	return errors.As(err, &e)
}
