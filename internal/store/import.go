package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

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
	ID        int64 // kept when free; given by an Importer that renumbers
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
	Unit string // what Line counts: "line" or "object"
}

func (e *CollisionError) Error() string {
	return fmt.Sprintf("%s %d: message id %d is taken in this database (import with -renumber to give the messages new ids)", e.Unit, e.Line, e.ID)
}

// Importer writes one import. Not safe for concurrent use.
type Importer struct {
	// Unit is what ImportMessage.Line counts, for errors: "line" (an
	// export's), or "object" (a dump's).
	Unit string

	s        *Store
	conn     *sql.Conn // PostgreSQL: the transaction's connection, for COPY
	tx       *sql.Tx
	renumber bool
	nextID   int64 // the last id given when renumbering; 0 until read
	// Prepared multi-row inserts, by row count: most batches are full.
	messages map[int]*sql.Stmt
	urls     map[int]*sql.Stmt
	last     map[int64]*lastMessage // the newest message written in each channel
	// start is each channel's newest id before the import: a message
	// written below it, or below the previous one of its channel, leaves
	// the channel's clock indices and stamps to be computed again.
	start    map[int64]int64
	unsorted map[int64]bool
	// Imported counts the messages written in each channel.
	Imported map[int64]int
	done     bool
	// SQLite: the derived rows wait for the end (import_derived.go).
	deferred bool
	runs     []idRun
}

// Rows per INSERT statement: one statement's overhead spread over many
// rows, well under both databases' limits on parameters.
const (
	messageRows   = 64
	messageParams = 15
	urlRows       = 64
)

// NewImporter begins an import. renumber gives every message the next id
// instead of its own. The caller ends it with Finish or Abort.
func (s *Store) NewImporter(ctx context.Context, renumber bool) (*Importer, error) {
	if s.dialect == sqlite {
		// The writer's one connection: a larger page cache while the
		// import's transaction grows, so that fewer pages spill to the
		// WAL before the commit (close puts it back).
		// Foreign keys off too: their checks make SQLite keep a journal
		// for each statement, while the import writes only channels and
		// accounts it has just found or created.
		if _, err := s.w.ExecContext(ctx, `PRAGMA cache_size = -262144`); err != nil {
			return nil, classify(fmt.Errorf("store: begin import: %w", err))
		}
		if _, err := s.w.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
			return nil, classify(fmt.Errorf("store: begin import: %w", err))
		}
	}
	var conn *sql.Conn
	var tx *sql.Tx
	var err error
	if s.dialect == postgres {
		// A connection of its own: COPY needs the driver's connection,
		// which the transaction runs on.
		if conn, err = s.w.Conn(ctx); err == nil {
			if tx, err = conn.BeginTx(ctx, nil); err != nil {
				conn.Close()
			}
		}
	} else {
		tx, err = s.w.BeginTx(ctx, nil)
	}
	if err != nil {
		return nil, classify(fmt.Errorf("store: begin import: %w", err))
	}
	im := &Importer{Unit: "line", s: s, conn: conn, tx: tx, renumber: renumber, messages: map[int]*sql.Stmt{}, urls: map[int]*sql.Stmt{},
		last: map[int64]*lastMessage{}, start: map[int64]int64{}, unsorted: map[int64]bool{}, Imported: map[int64]int{}}
	if s.dialect == postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, advisoryLock); err != nil {
			tx.Rollback()
			conn.Close()
			return nil, classify(fmt.Errorf("store: begin import: %w", err))
		}
	}
	if err := im.deferDerived(ctx); err != nil {
		im.Abort()
		return nil, err
	}
	return im, nil
}

// statement prepares (once) an insert of n rows of width columns.
func (im *Importer) statement(ctx context.Context, cache map[int]*sql.Stmt, n, width int, head, tail string) (*sql.Stmt, error) {
	if st, ok := cache[n]; ok {
		return st, nil
	}
	st, err := im.tx.PrepareContext(ctx, insertValues(head, width, n, tail, im.s.firstParam()))
	if err != nil {
		return nil, classify(fmt.Errorf("store: import: %w", err))
	}
	cache[n] = st
	return st, nil
}

// lastOf is the channel's newest message, read once.
func (im *Importer) lastOf(ctx context.Context, channelID int64) (*lastMessage, error) {
	if l, ok := im.last[channelID]; ok {
		return l, nil
	}
	l := &lastMessage{}
	err := im.tx.QueryRowContext(ctx, lastMessageQuery, channelID).Scan(&l.id, &l.created, &l.modified, &l.index)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, classify(fmt.Errorf("store: last message: %w", err))
	}
	im.last[channelID], im.start[channelID] = l, l.id
	return l, nil
}

// newID gives the next message id when renumbering: past every id the
// database has given (SQLite's AUTOINCREMENT record, PostgreSQL's
// sequence), as a post would take. The import holds the write lock (on
// PostgreSQL, the writers' advisory lock), so no post takes one meanwhile.
func (im *Importer) newID(ctx context.Context) (int64, error) {
	if im.nextID == 0 {
		q := `SELECT MAX(n) FROM (SELECT COALESCE(MAX(id), 0) AS n FROM messages
			UNION ALL SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = 'messages') AS t`
		if im.s.dialect == postgres {
			q = `SELECT GREATEST(COALESCE(MAX(id), 0),
				COALESCE(pg_sequence_last_value(pg_get_serial_sequence('messages', 'id')::regclass), 0)) FROM messages`
		}
		if err := im.tx.QueryRowContext(ctx, q).Scan(&im.nextID); err != nil {
			return 0, classify(fmt.Errorf("store: import: next id: %w", err))
		}
	}
	im.nextID++
	return im.nextID, nil
}

// WriteMessages writes a batch of rendered messages, in order, giving each
// its id (when renumbering), clock index and stamp as publish would, and
// archiving their URLs.
func (im *Importer) WriteMessages(ctx context.Context, ms []ImportMessage) error {
	// PostgreSQL copies the whole batch at once (each COPY asks for the
	// table's columns first); SQLite inserts it in parts.
	rows := messageRows
	if im.s.dialect == postgres {
		rows = max(len(ms), 1)
	}
	args := make([]any, 0, min(len(ms), rows)*messageParams)
	var urls []any
	for len(ms) > 0 {
		n := min(len(ms), rows)
		part := ms[:n]
		ms = ms[n:]
		args = args[:0]
		for i := range part {
			m := &part[i]
			l, err := im.lastOf(ctx, m.ChannelID)
			if err != nil {
				return err
			}
			if im.renumber {
				if m.ID, err = im.newID(ctx); err != nil {
					return err
				}
			} else if m.ID <= 0 {
				return fmt.Errorf("%s %d: the message has no id", im.Unit, m.Line)
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
			args = append(args, m.ID, m.ChannelID, created, modified, clock, day, index, m.Info, nullID(m.AuthorID),
				m.Login, m.Raw, m.Web, m.Remote, m.IP, created)
			if m.ID < l.id || m.ID <= im.start[m.ChannelID] {
				im.unsorted[m.ChannelID] = true
			}
			if m.ID > l.id {
				l.id, l.created, l.modified, l.index = m.ID, created, modified, index
			}
			im.Imported[m.ChannelID]++
			im.wrote(m.ID)
		}
		if err := im.insert(ctx, args, part); err != nil {
			return err
		}
		for i := range part {
			for _, u := range part[i].URLs {
				urls = append(urls, part[i].ID, args[i*messageParams+2], part[i].Login, u, urlHash(u))
			}
		}
	}
	for len(urls) > 0 {
		n := min(len(urls)/5, urlRows)
		head, tail := `INSERT INTO urls (message_id, created, login, url, url_hash) VALUES `, ` ON CONFLICT (url_hash) DO NOTHING`
		if im.s.dialect == sqlite {
			// The same, without a journal for each statement.
			head, tail = `INSERT OR IGNORE INTO urls (message_id, created, login, url, url_hash) VALUES `, ``
		}
		st, err := im.statement(ctx, im.urls, n, 5, head, tail)
		if err != nil {
			return err
		}
		if _, err := st.ExecContext(ctx, urls[:n*5]...); err != nil {
			return classify(fmt.Errorf("store: archive url: %w", err))
		}
		urls = urls[n*5:]
	}
	return nil
}

// messageColumns of an insert, in the order of WriteMessages' arguments.
var importColumns = []string{"id", "channel_id", "created", "modified", "clock", "day", "clock_index", "info",
	"author_id", "login", "raw", "web", "remote", "ip", "submitted"}

// insert writes messages (args: messageParams values each). An id the
// database holds already fails it, and the import with it (on SQLite, OR
// ROLLBACK spares each statement the journal that would undo it alone);
// the error then names the id, looked up among the committed messages.
// PostgreSQL takes them by COPY, much faster than INSERT there.
func (im *Importer) insert(ctx context.Context, args []any, part []ImportMessage) error {
	var err error
	if im.s.dialect == postgres {
		err = im.conn.Raw(func(dc any) error {
			c, ok := dc.(interface{ Conn() *pgx.Conn })
			if !ok {
				return fmt.Errorf("store: import: the PostgreSQL driver's connection is a %T", dc)
			}
			rows := make([][]any, len(part))
			for i := range rows {
				rows[i] = args[i*messageParams : (i+1)*messageParams]
			}
			_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{"messages"}, importColumns, pgx.CopyFromRows(rows))
			return err
		})
	} else {
		var st *sql.Stmt
		st, err = im.statement(ctx, im.messages, len(part), messageParams, `INSERT OR ROLLBACK INTO messages
			(`+strings.Join(importColumns, ", ")+`) VALUES `, ``)
		if err != nil {
			return err
		}
		_, err = st.ExecContext(ctx, args...)
	}
	if err == nil {
		return nil
	}
	var se *msqlite.Error
	var pe *pgconn.PgError
	if !(errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT ||
		errors.As(err, &pe) && pe.Code == "23505") { // unique_violation
		return classify(fmt.Errorf("store: import messages (%s %d): %w", im.Unit, part[0].Line, err))
	}
	for _, m := range part {
		var one int
		if im.s.r.QueryRowContext(ctx, `SELECT 1 FROM messages WHERE id = $1`, m.ID).Scan(&one) == nil {
			return &CollisionError{ID: m.ID, Line: m.Line, Unit: im.Unit}
		}
	}
	return fmt.Errorf("%ss %d to %d: a message id is listed twice in the file", im.Unit, part[0].Line, part[len(part)-1].Line)
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
	defer im.close() // after the commit or the rollback
	if err := im.fillDerived(ctx); err != nil {
		im.tx.Rollback()
		return err
	}
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
		im.tx.Rollback()
		im.close()
	}
}

func (im *Importer) close() {
	defer func() {
		if im.conn != nil {
			im.conn.Close()
		}
	}()
	for _, cache := range []map[int]*sql.Stmt{im.messages, im.urls} {
		for _, st := range cache {
			st.Close()
		}
	}
	if im.s.dialect == sqlite {
		// The transaction is over: its connection is free.
		im.s.w.Exec(`PRAGMA cache_size = -16000`)
		im.s.w.Exec(`PRAGMA foreign_keys = ON`)
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
