package commands

import (
	"context"
	"strings"

	"github.com/tribune-go/tribune/internal/bak"
	"github.com/tribune-go/tribune/internal/i18n"
)

// runBak is /bak OPTION …: the session's filters.
//
//	/bak add TARGET PATTERN…          hide messages whose TARGET is exactly PATTERN
//	/bak del TARGET PATTERN…          remove such a rule
//	/bak set TARGET KIND PATTERN…     hide messages whose TARGET matches PATTERN by KIND
//	/bak remove TARGET KIND PATTERN…  remove such a rule
//	/bak on | off                     apply the rules or not (they are kept)
//	/bak reset                        remove every rule
//	/bak save | load                  store the rules in the profile, or take them back
//
// A session holds at most bak.MaxRules rules.
//
// TARGET is ua, author or message; KIND is *= |= == ~= ^= $= (contains,
// contains ignoring case, equals, equals ignoring case, starts with, ends
// with). The pattern is the rest of the line, spaces included. Extra
// arguments after on, off, reset, save and load are ignored.
func runBak(ctx context.Context, env *Env, args []string) (Result, error) {
	lang := env.Lang
	opt, args := args[0], args[1:]
	switch opt {
	case "add", "del":
		if len(args) < 2 || pattern(args[1:]) == "" {
			return Result{}, fail(lang, "bak.need_target_pattern", opt)
		}
		r, err := rule(lang, args[0], bak.Exact, args[1:])
		if err != nil {
			return Result{}, err
		}
		return applyRule(lang, env.Bak, opt == "add", r)
	case "set", "remove":
		if len(args) < 3 || pattern(args[2:]) == "" {
			return Result{}, fail(lang, "bak.need_target_kind_pattern", opt)
		}
		r, err := rule(lang, args[0], args[1], args[2:])
		if err != nil {
			return Result{}, err
		}
		return applyRule(lang, env.Bak, opt == "set", r)
	case "on", "off", "reset", "save", "load":
		return bakState(ctx, env, opt)
	}
	return Result{}, fail(lang, "command.unknown_option", opt)
}

// Filter does what /bak does without the command's text: op is add or
// remove (of r, checked by the caller, as /bak set and /bak remove do), or
// on, off, reset, save or load (r unused).
func Filter(ctx context.Context, env *Env, op string, r bak.Rule) (Result, error) {
	switch op {
	case "add", "remove":
		return applyRule(env.Lang, env.Bak, op == "add", r)
	case "on", "off", "reset", "save", "load":
		return bakState(ctx, env, op)
	}
	return Result{}, fail(env.Lang, "command.unknown_option", op)
}

// bakState is /bak on, off, reset, save and load.
func bakState(ctx context.Context, env *Env, opt string) (Result, error) {
	lang := env.Lang
	st := env.Bak
	changed := Result{BakChanged: true}
	switch opt {
	case "on", "off":
		st.Active = opt == "on"
		changed.Notice = i18n.T(lang, "bak."+opt)
	case "reset":
		st.Reset()
		changed.Notice = i18n.T(lang, "bak.reset")
	case "save":
		if env.User == nil {
			return Result{}, fail(lang, "bak.registered_only")
		}
		// Always write: the profile is shared by every session of the
		// account, so another one may have changed it since.
		if err := env.Filters.SaveRules(ctx, env.User.ID, st.Rules); err != nil {
			return Result{}, err
		}
		changed.Notice = i18n.T(lang, "bak.saved", len(st.Rules))
	case "load":
		if env.User == nil {
			return Result{}, fail(lang, "bak.registered_only")
		}
		rules, err := env.Filters.LoadRules(ctx, env.User.ID)
		if err != nil {
			return Result{}, err
		}
		st.SetRules(rules) // Active is unchanged
		changed.Notice = i18n.T(lang, "bak.loaded", len(st.Rules))
	}
	return changed, nil
}

// pattern joins the pattern's words back with single spaces.
func pattern(words []string) string { return strings.Join(words, " ") }

func rule(lang i18n.Lang, target, kind string, words []string) (bak.Rule, error) {
	if !bak.ValidTarget(target) {
		return bak.Rule{}, fail(lang, "bak.bad_target", target)
	}
	if !bak.ValidKind(kind) {
		return bak.Rule{}, fail(lang, "bak.bad_kind", kind)
	}
	return bak.Rule{Target: target, Kind: kind, Pattern: pattern(words)}, nil
}

func applyRule(lang i18n.Lang, st *bak.State, add bool, r bak.Rule) (Result, error) {
	var res Result
	switch {
	case add && st.Has(r):
		res.Notice = i18n.T(lang, "bak.already", r.Target, r.Kind, r.Pattern)
	case add && st.Full():
		return Result{}, fail(lang, "bak.too_many", bak.MaxRules)
	case add:
		st.Add(r)
		res.BakChanged = true
		res.Notice = i18n.T(lang, "bak.added", r.Target, r.Kind, r.Pattern)
	case st.Remove(r):
		res.BakChanged = true
		res.Notice = i18n.T(lang, "bak.removed", r.Target, r.Kind, r.Pattern)
	default:
		res.Notice = i18n.T(lang, "bak.absent", r.Target, r.Kind, r.Pattern)
	}
	return res, nil
}
