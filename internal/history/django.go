package history

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/tribune-go/tribune/internal/auth"
	"github.com/tribune-go/tribune/internal/bak"
	"github.com/tribune-go/tribune/internal/board"
	"github.com/tribune-go/tribune/internal/markup"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
)

// The import of a djangotribune site: the JSON array that Django's
// 'manage.py dumpdata auth.user djangotribune' writes (docs/history.md).
// Objects are read one at a time (the array may hold millions of
// messages); those an object refers to must come before it, which is
// dumpdata's order when auth.user is named first.

// djangoObject is one object of a dump.
type djangoObject struct {
	Model  string          `json:"model"`
	PK     json.RawMessage `json:"pk"`
	Fields json.RawMessage `json:"fields"`
}

type djangoUser struct {
	Username    string  `json:"username"`
	Password    string  `json:"password"`
	IsSuperuser bool    `json:"is_superuser"`
	IsStaff     bool    `json:"is_staff"`
	IsActive    *bool   `json:"is_active"`
	DateJoined  *string `json:"date_joined"`
}

type djangoChannel struct {
	Slug    string  `json:"slug"`
	Title   string  `json:"title"`
	Created *string `json:"created"`
}

type djangoMessage struct {
	Channel   *int64  `json:"channel"`
	Author    *int64  `json:"author"`
	Created   string  `json:"created"`
	UserAgent string  `json:"user_agent"`
	IP        *string `json:"ip"`
	Raw       string  `json:"raw"`
}

type djangoFilter struct {
	Author int64  `json:"author"`
	Target string `json:"target"`
	Kind   string `json:"kind"`
	Value  string `json:"value"`
}

type djangoURL struct {
	Message int64  `json:"message"`
	URL     string `json:"url"`
}

// parsedObject is an object of a dump, checked, its message rendered.
type parsedObject struct {
	no      int
	model   string
	pk      int64
	user    *djangoUser
	channel *djangoChannel
	message *djangoMessage
	created time.Time
	info    string
	text    board.ImportedText
	filter  *djangoFilter
	url     *djangoURL
}

// The models a dump may hold. userpreferences is djangotribune's, never
// used by it (reference §1.2): skipped.
var djangoModels = []string{"auth.user", "djangotribune.channel", "djangotribune.message",
	"djangotribune.filterentry", "djangotribune.url"}

// ImportDjango reads a djangotribune dumpdata JSON from r into the
// database, in one transaction. Naive times are in the store's time zone.
func ImportDjango(ctx context.Context, b *board.Board, st *store.Store, r io.Reader, opt Options) (*Report, error) {
	if err := b.FillSkeletons(ctx); err != nil {
		return nil, err
	}
	x, err := newImporter(ctx, b, st, opt)
	if err != nil {
		return nil, err
	}
	x.im.Unit = "object" // a dump's positions are its objects
	d := &djangoImport{importer: x, users: map[int64]djangoAccount{}, channelIDs: map[int64]int64{}, messages: map[int64]int64{}}
	if err := d.run(ctx, r); err != nil {
		x.im.Abort()
		return nil, err
	}
	if err := x.im.Finish(ctx); err != nil {
		return nil, err
	}
	return x.report, nil
}

// djangoAccount is what became of a Django account: imported (id) or not,
// with the name its messages are signed with.
type djangoAccount struct {
	id    int64
	login string
}

type djangoImport struct {
	*importer
	users      map[int64]djangoAccount
	channelIDs map[int64]int64 // Django channel pk → ours
	messages   map[int64]int64 // Django message pk → our id, when renumbering
	batch      []store.ImportMessage
	batchPKs   []int64
}

// limitedReader fails once more than MaxLine bytes were read past mark:
// an object that large is not a tribune's.
type limitedReader struct {
	r    io.Reader
	n    int64
	mark int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n-l.mark > MaxLine+64<<10 {
		return 0, fmt.Errorf("an object longer than %d bytes", MaxLine)
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}

func (d *djangoImport) run(ctx context.Context, r io.Reader) error {
	lr := &limitedReader{r: r}
	dec := json.NewDecoder(lr)
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("not a dumpdata JSON: %w", endOf(err))
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '[' {
		return errors.New("not a dumpdata JSON: it must be an array of objects")
	}
	no := 0
	ended := false
	next := func() (item, int64, bool, error) {
		if ended {
			return item{}, dec.InputOffset(), false, nil
		}
		if !dec.More() {
			ended = true
			if _, err := dec.Token(); err != nil {
				return item{}, dec.InputOffset(), false, fmt.Errorf("after object %d: %w", no, endOf(err))
			}
			if _, err := dec.Token(); err != io.EOF {
				return item{}, dec.InputOffset(), false, fmt.Errorf("after the array: more than one JSON value")
			}
			return item{}, dec.InputOffset(), false, nil
		}
		no++
		lr.mark = dec.InputOffset()
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return item{}, dec.InputOffset(), false, fmt.Errorf("object %d: %w", no, endOf(err))
		}
		return item{no: no, data: raw}, dec.InputOffset(), true, nil
	}
	work := func(it item) (parsedObject, error) { return d.parse(it) }
	sink := func(ps []parsedObject, pos int64) error {
		for i := range ps {
			if err := d.apply(ctx, &ps[i]); err != nil {
				return err
			}
		}
		if err := d.flush(ctx); err != nil {
			return err
		}
		if d.opt.Progress != nil {
			d.opt.Progress(d.report.Messages, pos)
		}
		return nil
	}
	return pipeline(ctx, next, work, sink)
}

// endOf words the end of a truncated dump.
func endOf(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return errors.New("the dump ends in the middle (truncated?)")
	}
	return err
}

func (d *djangoImport) parse(it item) (parsedObject, error) {
	p := parsedObject{no: it.no}
	fail := func(err error) (parsedObject, error) {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			err = fmt.Errorf("%q should be a %s, not a JSON %s", te.Field, kindOf(te.Type.Kind().String()), te.Value)
		}
		return p, fmt.Errorf("object %d (%s %d): %w", it.no, p.model, p.pk, err)
	}
	var o djangoObject
	if err := json.Unmarshal(it.data, &o); err != nil {
		return fail(err)
	}
	p.model = o.Model
	if !slices.Contains(djangoModels, o.Model) && o.Model != "djangotribune.userpreferences" {
		return fail(fmt.Errorf("model %q is not one this import reads (%s); dump only those", o.Model, strings.Join(djangoModels, ", ")))
	}
	if err := json.Unmarshal(o.PK, &p.pk); err != nil || len(o.PK) == 0 {
		return fail(fmt.Errorf("its pk %s is not a number", o.PK))
	}
	if len(o.Fields) == 0 || o.Fields[0] != '{' {
		return fail(errors.New(`no "fields" object`))
	}
	var err error
	switch o.Model {
	case "auth.user":
		p.user = &djangoUser{}
		err = json.Unmarshal(o.Fields, p.user)
		if err == nil && p.user.DateJoined != nil {
			p.created, err = djangoTime(*p.user.DateJoined, d.st.Location())
		}
	case "djangotribune.channel":
		p.channel = &djangoChannel{}
		err = json.Unmarshal(o.Fields, p.channel)
		if err == nil && p.channel.Created != nil {
			p.created, err = djangoTime(*p.channel.Created, d.st.Location())
		}
	case "djangotribune.message":
		m := &djangoMessage{}
		if err = json.Unmarshal(o.Fields, m); err != nil {
			break
		}
		p.message = m
		if p.created, err = djangoTime(m.Created, d.st.Location()); err != nil {
			break
		}
		// Saved HTML-escaped once (reference §5.3): unescaped once.
		p.info = d.b.ImportedIdentity(djangoUnescape.Replace(m.UserAgent))
		p.text = d.b.RenderImported(m.Raw)
	case "djangotribune.filterentry":
		p.filter = &djangoFilter{}
		err = json.Unmarshal(o.Fields, p.filter)
	case "djangotribune.url":
		p.url = &djangoURL{}
		err = json.Unmarshal(o.Fields, p.url)
	}
	if err != nil {
		return fail(err)
	}
	return p, nil
}

// djangoUnescape undoes Django's escape(): & < > " ' (one pass).
var djangoUnescape = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#39;", "'", "&#x27;", "'")

// djangoTime reads a dumpdata datetime: ISO 8601, with a zone (USE_TZ) or
// naive, then in loc.
func djangoTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.Replace(strings.TrimSpace(s), " ", "T", 1)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	t, err := time.ParseInLocation("2006-01-02T15:04:05.999999999", s, loc)
	if err != nil {
		return t, fmt.Errorf("%q is not a date and time", s)
	}
	return t, nil
}

func (d *djangoImport) apply(ctx context.Context, p *parsedObject) error {
	if p.message == nil {
		// What follows may refer to the messages written so far.
		if err := d.flush(ctx); err != nil {
			return err
		}
	}
	where := fmt.Sprintf("object %d (%s %d)", p.no, p.model, p.pk)
	switch {
	case p.user != nil:
		return d.user(ctx, p)
	case p.channel != nil:
		if _, ok := d.channelIDs[p.pk]; ok {
			return fmt.Errorf("%s: channel %d is listed twice", where, p.pk)
		}
		id, err := d.channel(ctx, p.channel.Slug, p.channel.Title, p.created, where)
		if err != nil {
			return err
		}
		d.channelIDs[p.pk] = id
	case p.message != nil:
		return d.message(ctx, p, where)
	case p.filter != nil:
		return d.filter(ctx, p, where)
	case p.url != nil:
		id, ok := p.url.Message, true
		if d.opt.Renumber {
			id, ok = d.messages[p.url.Message]
		}
		if !ok {
			return fmt.Errorf("%s: message %d is not in the dump before it", where, p.url.Message)
		}
		added, err := d.im.AddURL(ctx, id, p.url.URL)
		if err != nil {
			return err
		}
		if added {
			d.report.URLs++
		}
	default:
		d.report.Skipped[p.model]++
	}
	return nil
}

// user imports an account: its name checked as a sign-up's, its role, and
// its Django hash when it is one an account can log in with.
func (d *djangoImport) user(ctx context.Context, p *parsedObject) error {
	u := p.user
	name := u.Username
	d.users[p.pk] = djangoAccount{login: name} // its messages keep its name
	stored, skeleton, err := d.b.ImportedName(name)
	if err != nil {
		d.report.RefusedUsers = append(d.report.RefusedUsers, fmt.Sprintf("account %q (pk %d): %v; its messages keep the name, without an account", name, p.pk, err))
		return nil
	}
	role := model.RoleUser
	switch {
	case u.IsSuperuser:
		role = model.RoleAdmin
	case u.IsStaff:
		role = model.RoleModerator
	}
	hash := u.Password
	if !auth.UsableDjangoHash(hash) || (u.IsActive != nil && !*u.IsActive) {
		hash = ""
		d.report.NoPassword = append(d.report.NoPassword, stored)
	}
	acc, err := d.im.AddUser(ctx, store.NewUser{Username: stored, PasswordHash: hash, Role: role, Skeleton: skeleton}, p.created)
	if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrLookAlike) {
		why := "an account of the same name (ignoring case) exists"
		if errors.Is(err, store.ErrLookAlike) {
			why = "it looks like the name of an existing account"
		}
		d.report.RefusedUsers = append(d.report.RefusedUsers, fmt.Sprintf("account %q (pk %d): %s; its messages keep the name, without an account", name, p.pk, why))
		if hash == "" {
			d.report.NoPassword = d.report.NoPassword[:len(d.report.NoPassword)-1]
		}
		return nil
	}
	if err != nil {
		return err
	}
	d.users[p.pk] = djangoAccount{id: acc.ID, login: acc.Username}
	d.report.Users++
	return nil
}

func (d *djangoImport) message(ctx context.Context, p *parsedObject, where string) error {
	m := p.message
	cid, ok := int64(0), true
	if m.Channel == nil {
		var err error
		if cid, err = d.channel(ctx, model.DefaultSlug, "", time.Time{}, where); err != nil {
			return err
		}
	} else if cid, ok = d.channelIDs[*m.Channel]; !ok {
		return fmt.Errorf("%s: channel %d is not in the dump before it (dump auth.user, then djangotribune)", where, *m.Channel)
	}
	var acc djangoAccount
	if m.Author != nil {
		if acc, ok = d.users[*m.Author]; !ok {
			return fmt.Errorf("%s: author %d is not in the dump before it (dump auth.user, then djangotribune)", where, *m.Author)
		}
	}
	ip := ""
	if m.IP != nil {
		ip = *m.IP
	}
	id := p.pk
	if d.opt.Renumber {
		id = 0
	} else if id <= 0 {
		return fmt.Errorf("%s: %d is not a message id", where, id)
	}
	d.batch = append(d.batch, store.ImportMessage{ID: id, ChannelID: cid, Created: p.created, Info: p.info,
		AuthorID: acc.id, Login: acc.login, Raw: p.text.Raw, Web: p.text.Web, Remote: p.text.Remote, IP: ip,
		URLs: p.text.URLs, Line: p.no})
	if d.opt.Renumber {
		d.batchPKs = append(d.batchPKs, p.pk)
	}
	return nil
}

func (d *djangoImport) flush(ctx context.Context) error {
	if len(d.batch) == 0 {
		return nil
	}
	if err := d.im.WriteMessages(ctx, d.batch); err != nil {
		return err
	}
	if d.opt.Renumber {
		for i, pk := range d.batchPKs {
			d.messages[pk] = d.batch[i].ID
		}
		d.batchPKs = d.batchPKs[:0]
	}
	d.report.Messages += len(d.batch)
	d.batch = d.batch[:0]
	return nil
}

// The filters' targets and kinds in djangotribune's words (reference §1.3).
var (
	djangoTargets = map[string]string{"user_agent": bak.TargetUA, "author__username": bak.TargetAuthor, "raw": bak.TargetMessage}
	djangoKinds   = map[string]string{"contains": bak.Contains, "icontains": bak.IContains, "exact": bak.Exact,
		"iexact": bak.IExact, "startswith": bak.StartsWith, "endswith": bak.EndsWith}
)

func (d *djangoImport) filter(ctx context.Context, p *parsedObject, where string) error {
	f := p.filter
	acc, ok := d.users[f.Author]
	if !ok {
		return fmt.Errorf("%s: author %d is not in the dump before it (dump auth.user, then djangotribune)", where, f.Author)
	}
	target, kind := djangoTargets[f.Target], djangoKinds[f.Kind]
	// Cleaned as /bak cleans a pattern: one line, no control characters.
	value := strings.Join(strings.Fields(markup.Sanitize(f.Value)), " ")
	if acc.id == 0 || target == "" || kind == "" || value == "" {
		d.report.SkippedFilters++
		return nil
	}
	if err := d.im.AddFilter(ctx, acc.id, store.Filter{Target: target, Kind: kind, Value: value}); err != nil {
		return err
	}
	d.report.Filters++
	return nil
}
