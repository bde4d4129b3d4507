package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tribune-go/tribune/internal/model"
)

// Bulk import (tribune import). An import is one transaction: it lands
// whole or not at all, and on SQLite it costs one fsync. Messages arrive
// rendered (the board renders them, spread over the cores); here they get
// what publish gives a live post: the clock and day of the clock finder,
// the clock index, the Last-Modified stamp, the URL archive rows.
//
// Derived data (a search index, per-day counts) hooks in at one place:
// WriteMessages, after the batch's rows are inserted, with the batch's
// messages and their ids; or, for a whole rebuild, in Finish, where
// Imported lists the channels that got messages.
//
// On PostgreSQL the transaction holds the lock that orders message writes
// (writer.go) from start to end: the servers' posts wait for it (and fail
// after the writer's 30 seconds). When it commits, the other processes
// are told (Change.History), drop the snapshots of the channels it
// touched and read them again. On SQLite the command holds the server's
// lock file: no server runs during an import.

// ImportMessage is one message of an import, already rendered.
type ImportMessage struct {
	ID        int64 // kept when free; 0: the next id (Importer with renumber)
	ChannelID int64
	Created   time.Time
	Info      string
	AuthorID  int64 // 0: none
	Login     string
	Raw       string
	Web       string
	Remote    string
	IP        string
	URLs      []string // to archive, already limited (as Post.URLs)
	// Line is where the message came from (a line or an object number),
	// for errors.
	Line int
}

// CollisionError is an imported message whose id the database has taken.
type CollisionError struct {
	ID   int64
	Line int
}

func (e *CollisionError) Error() string {
	return fmt.Sprintf("line %d: message id %d is taken in this database (import with -renumber to give the messages new ids)", e.Line, e.ID)
}

// Importer writes one import. Not safe for concurrent use.
type Importer struct {
	s        *Store
	tx       *sql.Tx
	renumber bool
	kept     *sql.Stmt // insert with the message's id
	next     *sql.Stmt // insert taking the next id
	url      *sql.Stmt
	last     map[int64]*lastMessage // the newest message written in each channel
	// start is each channel's newest id before the import: a message
	// written below it, or below the previous one of its channel, leaves
	// the channel's clock indices and stamps to be computed again.
	start    map[int64]int64
	unsorted map[int64]bool
	// Imported counts the messages written in each channel.
	Imported map[int64]int
	done     bool
}

// NewImporter begins an import. renumber gives every message the next id
// instead of its own. The caller ends it with Finish or Abort.
func (s *Store) NewImporter(ctx context.Context, renumber bool) (*Importer, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, classify(fmt.Errorf("store: begin import: %w", err))
	}
	im := &Importer{s: s, tx: tx, renumber: renumber, last: map[int64]*lastMessage{}, start: map[int64]int64{},
		unsorted: map[int64]bool{}, Imported: map[int64]int{}}
	fail := func(err error) (*Importer, error) {
		tx.Rollback()
		return nil, classify(fmt.Errorf("store: begin import: %w", err))
	}
	if s.dialect == postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, advisoryLock); err != nil {
			return fail(err)
		}
	}
	const cols = `channel_id, created, modified, clock, day, clock_index, info, author_id, login, raw, web, remote, ip, submitted`
	if im.kept, err = tx.PrepareContext(ctx, `INSERT INTO messages (id, `+cols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT (id) DO NOTHING`); err != nil {
		return fail(err)
	}
	if im.next, err = tx.PrepareContext(ctx, `INSERT INTO messages (`+cols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`); err != nil {
		return fail(err)
	}
	if im.url, err = tx.PrepareContext(ctx, `INSERT INTO urls (message_id, created, login, url, url_hash)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (url_hash) DO NOTHING`); err != nil {
		return fail(err)
	}
	return im, nil
}

// lastOf is the channel's newest message, read once.
func (im *Importer) lastOf(ctx context.Context, channelID int64) (*lastMessage, error) {
	if l, ok := im.last[channelID]; ok {
		return l, nil
	}
	l := &lastMessage{}
	err := im.tx.QueryRowContext(ctx,
		`SELECT id, created, modified, clock_index FROM messages WHERE channel_id = $1 ORDER BY id DESC LIMIT 1`,
		channelID).Scan(&l.id, &l.created, &l.modified, &l.index)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, classify(fmt.Errorf("store: last message: %w", err))
	}
	im.last[channelID], im.start[channelID] = l, l.id
	return l, nil
}

// WriteMessages writes a batch of rendered messages, in order, giving each
// its id (when renumbering), clock index and stamp as publish would.
func (im *Importer) WriteMessages(ctx context.Context, ms []ImportMessage) error {
	for i := range ms {
		m := &ms[i]
		l, err := im.lastOf(ctx, m.ChannelID)
		if err != nil {
			return err
		}
		created := m.Created.UTC().Truncate(time.Microsecond).UnixMicro()
		sec := created / 1e6
		index := 1
		if l.id != 0 && l.created/1e6 == sec {
			index = l.index + 1
		}
		modified := max(sec, l.modified)
		local := time.UnixMicro(created).In(im.s.loc)
		clock := local.Hour()*3600 + local.Minute()*60 + local.Second()
		day := local.Year()*10000 + int(local.Month())*100 + local.Day()
		args := []any{m.ChannelID, created, modified, clock, day, index, m.Info, nullID(m.AuthorID), m.Login,
			m.Raw, m.Web, m.Remote, m.IP, created}
		if im.renumber || m.ID == 0 {
			if !im.renumber {
				return fmt.Errorf("line %d: the message has no id", m.Line)
			}
			if err := im.next.QueryRowContext(ctx, args...).Scan(&m.ID); err != nil {
				return classify(fmt.Errorf("store: import message (line %d): %w", m.Line, err))
			}
		} else {
			res, err := im.kept.ExecContext(ctx, append([]any{m.ID}, args...)...)
			if err != nil {
				return classify(fmt.Errorf("store: import message %d (line %d): %w", m.ID, m.Line, err))
			}
			if n, err := res.RowsAffected(); err == nil && n == 0 {
				return &CollisionError{ID: m.ID, Line: m.Line}
			}
		}
		if m.ID < l.id || m.ID < im.start[m.ChannelID] {
			im.unsorted[m.ChannelID] = true
		}
		if m.ID > l.id {
			l.id, l.created, l.modified, l.index = m.ID, created, modified, index
		}
		im.Imported[m.ChannelID]++
		for _, u := range m.URLs {
			if _, err := im.url.ExecContext(ctx, m.ID, created, m.Login, u, urlHash(u)); err != nil {
				return classify(fmt.Errorf("store: archive url: %w", err))
			}
		}
	}
	// Derived data of the batch (search index, day counts) goes here.
	return nil
}

// Channel finds the channel of slug, or creates it with title. It does
// not check the slug: the board does.
func (im *Importer) Channel(ctx context.Context, slug, title string, created time.Time) (c model.Channel, isNew bool, err error) {
	c, err = scanChannel(im.tx.QueryRowContext(ctx, `SELECT `+channelColumns+` FROM channels WHERE slug = $1`, slug))
	if err == nil {
		return c, false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return c, false, classify(fmt.Errorf("store: channel %q: %w", slug, err))
	}
	if created.IsZero() {
		created = im.s.now()
	}
	c = model.Channel{Slug: slug, Title: title, Created: created.UTC().Truncate(time.Microsecond), Mode: "open"}
	err = im.tx.QueryRowContext(ctx, `INSERT INTO channels (slug, title, created) VALUES ($1, $2, $3) RETURNING id`,
		slug, title, micros(c.Created)).Scan(&c.ID)
	if err != nil {
		return c, false, classify(fmt.Errorf("store: create channel %q: %w", slug, err))
	}
	return c, true, nil
}

// AddUser creates an account in the import: ErrConflict when its name
// (ignoring case) is taken, ErrLookAlike when its skeleton is.
func (im *Importer) AddUser(ctx context.Context, nu NewUser, created time.Time) (model.User, error) {
	if created.IsZero() {
		created = im.s.now()
	}
	u := model.User{Username: nu.Username, PasswordHash: nu.PasswordHash, Role: nu.Role, Created: created.UTC().Truncate(time.Microsecond)}
	var skeleton sql.NullString
	if nu.Skeleton != "" {
		skeleton = sql.NullString{String: nu.Skeleton, Valid: true}
	}
	err := im.tx.QueryRowContext(ctx, `INSERT INTO users (username, username_key, name_skeleton, password_hash, role, created)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id`,
		nu.Username, usernameKey(nu.Username), skeleton, nu.PasswordHash, string(nu.Role), micros(u.Created)).Scan(&u.ID)
	if errors.Is(err, sql.ErrNoRows) {
		var one int
		if im.tx.QueryRowContext(ctx, `SELECT 1 FROM users WHERE username_key = $1`, usernameKey(nu.Username)).Scan(&one) == nil {
			return u, ErrConflict
		}
		return u, ErrLookAlike
	}
	if err != nil {
		return u, classify(fmt.Errorf("store: create user: %w", err))
	}
	return u, nil
}

// AddFilter saves a BaK rule to an account's profile.
func (im *Importer) AddFilter(ctx context.Context, userID int64, f Filter) error {
	if _, err := im.tx.ExecContext(ctx, `INSERT INTO filters (user_id, target, kind, value) VALUES ($1, $2, $3, $4)`,
		userID, f.Target, f.Kind, f.Value); err != nil {
		return classify(fmt.Errorf("store: import filter: %w", err))
	}
	return nil
}

// AddURL archives a URL of an imported message (the old site's URL
// archive), unless it is archived already. It reports whether it was
// added; a message that is not there adds nothing.
func (im *Importer) AddURL(ctx context.Context, messageID int64, url string) (bool, error) {
	res, err := im.tx.ExecContext(ctx, `INSERT INTO urls (message_id, created, login, url, url_hash)
		SELECT id, created, login, $2, $3 FROM messages WHERE id = $1 ON CONFLICT (url_hash) DO NOTHING`,
		messageID, url, urlHash(url))
	if err != nil {
		return false, classify(fmt.Errorf("store: import url: %w", err))
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Finish ends the import: the clock indices and stamps of channels that
// got messages out of order are computed again, every channel that got
// messages has its validators moved on (its removal count and the stamp
// of its newest message, so that no client keeps a copy without them),
// PostgreSQL's id sequence is moved past the ids written, and the
// transaction commits.
func (im *Importer) Finish(ctx context.Context) error {
	if im.done {
		return errors.New("store: import finished already")
	}
	im.done = true
	defer im.close()
	var change Change
	for id := range im.Imported {
		if im.unsorted[id] {
			if err := im.reindex(ctx, id); err != nil {
				im.tx.Rollback()
				return err
			}
		}
		if _, err := im.tx.ExecContext(ctx, `UPDATE channels SET removals = removals + 1 WHERE id = $1`, id); err != nil {
			im.tx.Rollback()
			return classify(fmt.Errorf("store: import: channel removals: %w", err))
		}
		if _, err := im.tx.ExecContext(ctx, `UPDATE messages SET modified = $1
			WHERE id = (SELECT MAX(id) FROM messages WHERE channel_id = $2) AND modified < $1`,
			im.s.now().Unix(), id); err != nil {
			im.tx.Rollback()
			return classify(fmt.Errorf("store: import: channel stamp: %w", err))
		}
		change.History = append(change.History, id)
	}
	change.Channels = true
	if im.s.dialect == postgres {
		if _, err := im.tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('messages', 'id'), GREATEST(
			(SELECT COALESCE(MAX(id), 1) FROM messages),
			COALESCE(pg_sequence_last_value(pg_get_serial_sequence('messages', 'id')::regclass), 1)))`); err != nil {
			im.tx.Rollback()
			return classify(fmt.Errorf("store: import: message ids: %w", err))
		}
		if err := im.s.notify(ctx, im.tx, change); err != nil {
			im.tx.Rollback()
			return err
		}
	}
	if err := im.tx.Commit(); err != nil {
		return classify(fmt.Errorf("store: commit import: %w", err))
	}
	im.s.emit(change)
	return nil
}

// Abort gives the import up: nothing of it stays.
func (im *Importer) Abort() {
	if !im.done {
		im.done = true
		im.close()
		im.tx.Rollback()
	}
}

func (im *Importer) close() {
	for _, st := range []*sql.Stmt{im.kept, im.next, im.url} {
		if st != nil {
			st.Close()
		}
	}
}

// reindex computes a channel's clock indices and stamps again, in id
// order, with publish's rules: a message in the same second as the one
// before it takes the next index; a stamp never goes backwards.
func (im *Importer) reindex(ctx context.Context, channelID int64) error {
	rows, err := im.tx.QueryContext(ctx, `SELECT id, created, modified, clock_index FROM messages WHERE channel_id = $1 ORDER BY id`, channelID)
	if err != nil {
		return classify(fmt.Errorf("store: import: reindex: %w", err))
	}
	type fix struct {
		id, modified int64
		index        int
	}
	var fixes []fix
	var prev lastMessage
	for rows.Next() {
		var m lastMessage
		if err := rows.Scan(&m.id, &m.created, &m.modified, &m.index); err != nil {
			rows.Close()
			return classify(fmt.Errorf("store: import: reindex: %w", err))
		}
		index := 1
		if prev.id != 0 && prev.created/1e6 == m.created/1e6 {
			index = prev.index + 1
		}
		modified := max(m.created/1e6, prev.modified)
		if index != m.index || modified != m.modified {
			fixes = append(fixes, fix{m.id, modified, index})
		}
		prev = lastMessage{id: m.id, created: m.created, modified: modified, index: index}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return classify(fmt.Errorf("store: import: reindex: %w", err))
	}
	for _, f := range fixes {
		if _, err := im.tx.ExecContext(ctx, `UPDATE messages SET clock_index = $1, modified = $2 WHERE id = $3`, f.index, f.modified, f.id); err != nil {
			return classify(fmt.Errorf("store: import: reindex: %w", err))
		}
	}
	return nil
}
