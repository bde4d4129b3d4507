package cli

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/tribune-go/tribune/internal/board"
	"github.com/tribune-go/tribune/internal/logctx"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/moderation"
)

func channel(ctx context.Context, args []string, env Env) error {
	const synopsis = "channel create SLUG TITLE | channel list | channel delete SLUG |\n" +
		"       channel rename SLUG TITLE |\n" +
		"       channel moderate SLUG [-mode open|auto|manual] [-moderator SPEC]... [-auto-moderate-as pending|accept|reject|'']\n" +
		"       (channel moderate keeps what a flag does not give; -mode auto without -moderator empties the chain)"
	fs, cf := flagSet("channel", synopsis, env, "mode", "moderator", "auto-moderate-as")
	mode := fs.String("mode", "", "moderation mode: open, auto or manual (channel moderate)")
	var mods stringList
	fs.Var(&mods, "moderator", "auto-moderator SPEC; the flags given replace the chain, in order; repeat it (channel moderate)")
	// -auto-moderate-as is also the flag of the site setting
	// TRIBUNE_AUTO_MODERATE_AS, which flagSet registered (defining it again
	// panics). Here it is the channel's own verdict, "" meaning the site
	// default, so it takes the flag over; the site default still comes from
	// the environment or the configuration file.
	fallback := new(string)
	if f := fs.Lookup("auto-moderate-as"); f != nil {
		f.Value = (*stringFlag)(fallback)
		f.DefValue = ""
		f.Usage = "verdict when no moderator rates: pending, accept or reject; '' = the site default (channel moderate)"
	} else {
		fs.StringVar(fallback, "auto-moderate-as", "", "verdict when no moderator rates: pending, accept or reject; '' = the site default (channel moderate)")
	}
	cfg, rest, err := load(fs, cf, args, env)
	if err != nil {
		return err
	}
	action, rest, err := pickAction(fs, "channel", rest, map[string]int{"create": 2, "list": 0, "delete": 1, "rename": 2, "moderate": 1})
	if err != nil {
		return err
	}
	b, closeDB, err := openBoard(ctx, &cfg)
	if err != nil {
		return err
	}
	defer closeDB()
	ctx = logctx.With(ctx, slog.String("by", "command line")) // for the audit trail
	switch action {
	case "create":
		c, err := b.CreateChannel(ctx, rest[0], rest[1])
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "created channel %s (%s)\n", c.Slug, c.Title)
	case "rename":
		title, err := b.RenameChannel(ctx, slugArg(rest[0]), rest[1])
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "renamed channel %s to %s\n", rest[0], title)
	case "delete":
		if err := b.DeleteChannel(ctx, rest[0]); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "deleted channel %s and its messages\n", rest[0])
	case "moderate":
		ch := policyChange{mods: mods}
		fs.Visit(func(f *flag.Flag) {
			switch f.Name {
			case "mode":
				ch.mode = mode
			case "moderator":
				ch.modsGiven = true
			case "auto-moderate-as":
				ch.fallback = fallback
			}
		})
		return moderate(ctx, b, env, rest[0], ch, cfg.AutoModerateAs)
	case "list":
		cs, err := b.ReadChannels(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SLUG\tTITLE\tMODERATION\tAUTO-MODERATE-AS\tMODERATORS")
		for _, c := range cs {
			slug := c.Slug
			if c.IsDefault() {
				slug = "(default)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", slug, c.Title, c.Mode, verdict(c, cfg.AutoModerateAs), specs(c.Moderators))
		}
		return tw.Flush()
	}
	return nil
}

// slugArg reads a channel named on the command line: "default" is the
// default channel, whose slug is empty.
func slugArg(s string) string {
	if s == "default" || s == "(default)" {
		return model.DefaultSlug
	}
	return s
}

// policyChange is what channel moderate was given: nil (or modsGiven
// false) for a flag not given, which keeps the stored value.
type policyChange struct {
	mode      *string
	mods      []string
	modsGiven bool
	fallback  *string
}

// moderate changes a channel's policy: the flags given replace their part
// of it, the others keep theirs, except that -mode auto without -moderator
// empties the chain (the rule). It prints the resulting policy.
func moderate(ctx context.Context, b *board.Board, env Env, slug string, ch policyChange, siteDefault string) error {
	slug = slugArg(slug)
	c, ok, err := b.Channel(ctx, slug)
	if err != nil {
		return err
	}
	if !ok {
		return &board.ChannelError{Slug: slug, Err: board.ErrNoChannel}
	}
	if ch.mode != nil {
		c.Mode = *ch.mode
		if c.Mode == string(moderation.ModeAuto) && !ch.modsGiven {
			c.Moderators = nil
		}
	}
	if ch.modsGiven {
		c.Moderators = ch.mods
	}
	if ch.fallback != nil {
		c.AutoModerateAs = *ch.fallback
	}
	if err := b.SetModeration(ctx, slug, c.Mode, c.Moderators, c.AutoModerateAs); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "channel %s: moderation %s; moderators %s; auto-moderate-as %s\n",
		displaySlug(slug), c.Mode, specs(c.Moderators), verdict(c, siteDefault))
	return nil
}

// specs shows a chain unambiguously: each spec quoted (a spec may hold
// spaces and "|"), in order, or "(none)".
func specs(chain []string) string {
	if len(chain) == 0 {
		return "(none)"
	}
	q := make([]string, len(chain))
	for i, s := range chain {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, " ")
}

// verdict shows a channel's fallback, or the site's when it has none.
func verdict(c model.Channel, siteDefault string) string {
	if c.AutoModerateAs == "" {
		return "(site: " + siteDefault + ")"
	}
	return c.AutoModerateAs
}

func displaySlug(slug string) string {
	if slug == model.DefaultSlug {
		return "(default)"
	}
	return slug
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, " ") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

var _ flag.Value = (*stringList)(nil)

// stringFlag is a plain string flag.
type stringFlag string

func (s *stringFlag) String() string     { return string(*s) }
func (s *stringFlag) Set(v string) error { *s = stringFlag(v); return nil }
