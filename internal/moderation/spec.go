package moderation

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
)

// DefaultWebhookTimeout bounds each webhook call, connection included.
const DefaultWebhookTimeout = 2 * time.Second

// DefaultChainTimeout bounds a whole chain run (Gate.Timeout): a post never
// waits longer than this for its moderators, whatever they are.
const DefaultChainTimeout = 10 * time.Second

// Deps is what ParseSpec needs to build moderators. The zero value works
// for every kind except flood and duplicate, which need a History, and
// webhook, which needs a Poster to rate anything.
type Deps struct {
	// Poster calls webhooks, each call bounded by WebhookTimeout. nil still
	// builds webhook moderators (so that specs can be checked without a
	// network), but they fail on every submission (counted as neutral).
	Poster Poster
	// WebhookTimeout bounds each webhook call; 0 means DefaultWebhookTimeout.
	WebhookTimeout time.Duration
	// ChainTimeout bounds a whole chain run of the gates Compile builds;
	// 0 means DefaultChainTimeout.
	ChainTimeout time.Duration
	// History answers flood and duplicate questions.
	History History
	// Logger receives the failures of moderators, counted as neutral, of
	// the gates Compile builds. nil means slog.Default() at the time.
	Logger *slog.Logger
	// Now is the clock used when a submission has no Time; nil means
	// time.Now. Tests plug a fake clock here.
	Now func() time.Time
}

// at returns when s was sent, for the time windows.
func (d *Deps) at(s *Submission) time.Time {
	if !s.Time.IsZero() {
		return s.Time
	}
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// SpecError is a spec that ParseSpec refused. Err wraps one of ErrShape,
// ErrKind, ErrNoArgument or ErrArgument (for the last two, Kind names the
// kind).
type SpecError struct {
	Spec string
	Kind string // the spec's kind, when it is a known one
	Err  error
}

// What is wrong with a refused spec (errors.Is on a SpecError).
var (
	ErrShape      = errors.New(`want "KIND:ARGUMENT[#DEFAULT REASON]"`)
	ErrKind       = errors.New("unknown kind")
	ErrNoArgument = errors.New("missing argument")
	ErrArgument   = errors.New("bad argument")
)

func (e *SpecError) Error() string {
	return fmt.Sprintf("moderation: bad moderator spec %q: %v", e.Spec, e.Err)
}

func (e *SpecError) Unwrap() error { return e.Err }

// builder builds one kind of moderator from its argument (trimmed, never
// empty) and the spec's parts common to every kind.
type builder func(arg string, b base, deps Deps) (Moderator, error)

type kind struct {
	build         builder
	defaultReason string
}

// kinds is the table of moderator kinds, with their built-in default
// reasons (short, English, shown to the author of a rejected message).
var kinds = map[string]kind{
	"webhook":   {newWebhook, "rejected by the moderation service"},
	"links":     {newLinks, "too many links"},
	"words":     {newWords, "forbidden word"},
	"caps":      {newCaps, "too many capitals"},
	"flood":     {newFlood, "flood"},
	"duplicate": {newDuplicate, "duplicate message"},
	"anonymous": {newAnonymous, "anonymous message"},
}

// Kinds lists the moderator kinds ParseSpec knows, sorted.
func Kinds() []string {
	names := make([]string, 0, len(kinds))
	for name := range kinds {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// ParseSpec builds a moderator from a spec "KIND:ARGUMENT", optionally
// followed by "#DEFAULT REASON". The first "#" always starts the default
// reason: no argument may contain one (a webhook URL fragment is never sent
// anyway). Spaces around the kind, the argument and the reason are ignored;
// an empty reason after "#" is a deliberate empty default reason.
func ParseSpec(spec string, deps Deps) (Moderator, error) {
	name, rest, ok := strings.Cut(spec, ":")
	if !ok {
		return nil, &SpecError{Spec: spec, Err: ErrShape}
	}
	name = strings.TrimSpace(name)
	k, ok := kinds[name]
	if !ok {
		return nil, &SpecError{Spec: spec, Err: fmt.Errorf("%w %q (want one of %s)", ErrKind, name, strings.Join(Kinds(), ", "))}
	}
	arg, reason, hasReason := strings.Cut(rest, "#")
	arg = strings.TrimSpace(arg)
	if arg == "" {
		return nil, &SpecError{Spec: spec, Kind: name, Err: fmt.Errorf("%s: %w", name, ErrNoArgument)}
	}
	b := base{spec: spec, defaultReason: k.defaultReason}
	if hasReason {
		b.defaultReason = strings.TrimSpace(reason)
	}
	m, err := k.build(arg, b, deps)
	if err != nil {
		return nil, &SpecError{Spec: spec, Kind: name, Err: fmt.Errorf("%s: %w: %w", name, ErrArgument, err)}
	}
	return m, nil
}

// base is what every built-in moderator has: its spec and default reason.
type base struct {
	spec          string
	defaultReason string
}

func (b *base) Spec() string          { return b.spec }
func (b *base) DefaultReason() string { return b.defaultReason }
