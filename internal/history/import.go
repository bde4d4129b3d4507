package history

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tribune-go/tribune/internal/board"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
)

// MaxLine is the longest line (or dump object) an import reads: far more
// than any message (TRIBUNE_MESSAGES_POST_MAX_LENGTH), little enough that
// a broken file cannot take the memory.
const MaxLine = 1 << 20

// Options tune an import.
type Options struct {
	// Renumber gives every message the next free id (in the input's
	// order) instead of its own.
	Renumber bool
	// Progress, when set, is told after each chunk how many messages
	// are written and how many input bytes are read.
	Progress func(messages int, bytes int64)
}

// Report is what an import did.
type Report struct {
	Messages int
	Channels []string // created, by slug
	// The djangotribune import's accounts, filters and URLs.
	Users          int
	NoPassword     []string // accounts imported without a usable password
	RefusedUsers   []string // Django accounts not imported, with why
	Filters        int
	SkippedFilters int
	URLs           int // URL archive rows added from the dump (besides the messages' own)
	Skipped        map[string]int
}

// importer is the state an import's writer keeps.
type importer struct {
	b        *board.Board
	st       *store.Store
	im       *store.Importer
	opt      Options
	report   *Report
	channels map[string]int64 // by slug
	authors  map[string]int64 // by login; 0: no such account
}

func newImporter(ctx context.Context, b *board.Board, st *store.Store, opt Options) (*importer, error) {
	im, err := st.NewImporter(ctx, opt.Renumber)
	if err != nil {
		return nil, err
	}
	return &importer{b: b, st: st, im: im, opt: opt, report: &Report{Skipped: map[string]int{}},
		channels: map[string]int64{}, authors: map[string]int64{}}, nil
}

// channel resolves a slug, creating the channel (checked as the admin
// page would) when it is missing.
func (x *importer) channel(ctx context.Context, slug, title string, created time.Time, where string) (int64, error) {
	if id, ok := x.channels[slug]; ok {
		return id, nil
	}
	if slug != model.DefaultSlug {
		if title == "" {
			title = slug
		}
		t, err := x.b.CheckImportedChannel(slug, title)
		if err != nil {
			return 0, fmt.Errorf("%s: channel %q: %w", where, slug, err)
		}
		title = t
	}
	c, isNew, err := x.im.Channel(ctx, slug, title, created)
	if err != nil {
		return 0, err
	}
	if isNew {
		x.report.Channels = append(x.report.Channels, slug)
	}
	x.channels[slug] = c.ID
	return c.ID, nil
}

// author finds the account a login names, if any (looked up once).
func (x *importer) author(ctx context.Context, login string) (int64, error) {
	if login == "" {
		return 0, nil
	}
	if id, ok := x.authors[login]; ok {
		return id, nil
	}
	u, err := x.st.UserByName(ctx, login)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return 0, err
	}
	x.authors[login] = u.ID
	return u.ID, nil
}

// parsedLine is a line of an export, checked and rendered.
type parsedLine struct {
	line    int
	id      int64
	slug    string
	created time.Time
	info    string
	login   string
	text    board.ImportedText
}

// Import reads an export (JSON Lines, see Line) from r and writes it to
// the database in one transaction: all of it, or on an error nothing.
func Import(ctx context.Context, b *board.Board, st *store.Store, r io.Reader, opt Options) (*Report, error) {
	x, err := newImporter(ctx, b, st, opt)
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxLine)
	lineNo := 0
	var pos int64
	next := func() (item, int64, bool, error) {
		for sc.Scan() {
			lineNo++
			data := sc.Bytes()
			pos += int64(len(data)) + 1
			if len(bytes.TrimSpace(data)) == 0 {
				continue // a blank line, at the end say
			}
			return item{no: lineNo, data: bytes.Clone(data)}, pos, true, nil
		}
		if err := sc.Err(); err != nil {
			if errors.Is(err, bufio.ErrTooLong) {
				return item{}, pos, false, fmt.Errorf("line %d: longer than %d bytes", lineNo+1, MaxLine)
			}
			return item{}, pos, false, fmt.Errorf("line %d: %w", lineNo+1, err)
		}
		return item{}, pos, false, nil
	}
	work := func(it item) (parsedLine, error) { return parseLine(b, it, opt.Renumber) }
	batch := make([]store.ImportMessage, 0, chunkSize)
	sink := func(ps []parsedLine, pos int64) error {
		batch = batch[:0]
		for i := range ps {
			p := &ps[i]
			cid, ok := x.channels[p.slug]
			if !ok {
				var err error
				if cid, err = x.channel(ctx, p.slug, "", time.Time{}, fmt.Sprintf("line %d", p.line)); err != nil {
					return err
				}
			}
			aid, err := x.author(ctx, p.login)
			if err != nil {
				return err
			}
			batch = append(batch, store.ImportMessage{ID: p.id, ChannelID: cid, Created: p.created, Info: p.info,
				AuthorID: aid, Login: p.login, Raw: p.text.Raw, Web: p.text.Web, Remote: p.text.Remote,
				URLs: p.text.URLs, Line: p.line})
		}
		if err := x.im.WriteMessages(ctx, batch); err != nil {
			return err
		}
		x.report.Messages += len(batch)
		if opt.Progress != nil {
			opt.Progress(x.report.Messages, pos)
		}
		return nil
	}
	if err := pipeline(ctx, next, work, sink); err != nil {
		x.im.Abort()
		return nil, err
	}
	if err := x.im.Finish(ctx); err != nil {
		return nil, err
	}
	return x.report, nil
}

// parseLine checks one line of an export and renders its message.
func parseLine(b *board.Board, it item, renumber bool) (parsedLine, error) {
	p := parsedLine{line: it.no}
	fail := func(format string, args ...any) (parsedLine, error) {
		return p, fmt.Errorf("line %d: %s", it.no, fmt.Sprintf(format, args...))
	}
	var l struct {
		ID      *int64  `json:"id"`
		Channel *string `json:"channel"`
		Created *string `json:"created"`
		Info    string  `json:"info"`
		Login   string  `json:"login"`
		Message *string `json:"message"`
	}
	if err := json.Unmarshal(it.data, &l); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fail("%q should be a %s, not a JSON %s", te.Field, kindOf(te.Type.Kind().String()), te.Value)
		}
		return fail("not a JSON object: %v", err)
	}
	switch {
	case l.ID == nil && !renumber:
		return fail(`no "id" (import with -renumber to give the messages new ids)`)
	case l.ID != nil && *l.ID <= 0:
		return fail("id %d is not a message id", *l.ID)
	case l.Channel == nil:
		return fail(`no "channel" ("" for the default channel)`)
	case l.Created == nil:
		return fail(`no "created"`)
	case l.Message == nil:
		return fail(`no "message"`)
	}
	created, err := time.Parse(time.RFC3339Nano, *l.Created)
	if err != nil {
		return fail("created %q is not an RFC 3339 time (2026-12-07T12:34:56.123456+01:00)", *l.Created)
	}
	if !utf8.ValidString(*l.Channel) || strings.ContainsRune(*l.Channel, 0) {
		return fail("the channel is not a slug")
	}
	if l.ID != nil && !renumber {
		p.id = *l.ID
	}
	if !utf8.ValidString(l.Login) || strings.ContainsRune(l.Login, 0) || utf8.RuneCountInString(l.Login) > 150 {
		return fail("the login is not an account name")
	}
	p.slug, p.created, p.login = *l.Channel, created, l.Login
	p.info = b.ImportedIdentity(l.Info)
	p.text = b.RenderImported(*l.Message)
	return p, nil
}

// kindOf names a Go kind the way a JSON writer would.
func kindOf(k string) string {
	switch {
	case strings.HasPrefix(k, "int"), strings.HasPrefix(k, "uint"), strings.HasPrefix(k, "float"):
		return "number"
	case k == "bool":
		return "boolean"
	case k == "slice":
		return "array"
	case k == "struct", k == "map":
		return "object"
	}
	return k
}
