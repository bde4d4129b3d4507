// Package store keeps everything the tribune persists (channels, messages,
// moderation records, accounts, sessions, saved filters, the URL archive) in
// SQLite or PostgreSQL, behind one concrete type whose SQL is shared by both
// dialects except for a few marked places.
//
// SQLite rules (they matter for correctness, not only speed):
//   - WAL journal, so readers never block the writer;
//   - one writer connection with immediate transactions, because a deferred
//     transaction that upgrades to a write can fail with SQLITE_BUSY without
//     waiting on the busy timeout;
//   - a separate pool of read-only connections;
//   - message writes go through the group committer (writer.go), which turns
//     many concurrent posts into one transaction and one fsync.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Errors callers match with errors.Is.
var (
	ErrNotFound = errors.New("store: not found")
	ErrConflict = errors.New("store: already exists")
	// ErrLookAlike: an account's name looks like the new one (the same
	// skeleton).
	ErrLookAlike = errors.New("store: a name like it exists")
	ErrClosed    = errors.New("store: closed")
	// ErrFull is a write refused because the database or its disk is full.
	ErrFull = errors.New("store: the database or its disk is full")
	// ErrNoDatabase: Options.Existing was set and there is no SQLite file
	// at the path.
	ErrNoDatabase = errors.New("store: no database there")
	// ErrSchema: the database's schema is not the binary's (Ready).
	ErrSchema = errors.New("store: the database schema is not this binary's")
)

type dialect int

const (
	sqlite dialect = iota
	postgres
)

// Options tune a store.
type Options struct {
	// Location is the tribune's time zone: message clocks are stored as
	// local wall-clock values for the clock finder.
	Location *time.Location
	// Synchronous is SQLite's durability level: "full" (default) or "normal".
	Synchronous string
	// Logger receives the store's warnings.
	Logger *slog.Logger
	// Now is the clock messages are published by; nil means time.Now.
	// Tests set it to publish at chosen times.
	Now func() time.Time
	// Lock takes the SQLite database's lock file for as long as the store
	// is open (lock.go): a server's store. Open fails with a *LockedError
	// when another process holds it. PostgreSQL needs none.
	Lock bool
	// Existing opens only a database that exists: a missing SQLite file is
	// ErrNoDatabase, and nothing is created. For the management commands,
	// which must not make an empty tribune by mistake.
	Existing bool
	// MaxPageCount caps an SQLite database's size in pages (0: no cap).
	// Tests set it to fill the database as a full disk would.
	MaxPageCount int
}

// Store is the tribune's database.
type Store struct {
	dialect dialect
	w       *sql.DB // writes (SQLite: one connection)
	r       *sql.DB // reads (SQLite: read-only pool; PostgreSQL: same as w)
	dsn     string
	loc     *time.Location
	log     *slog.Logger
	clock   func() time.Time

	// PostgreSQL change notifications (notify.go).
	origin        string
	notifyChannel string

	writer *writer
	lock   *fileLock // SQLite with Options.Lock

	mu        sync.Mutex
	listeners []func(Change)

	listening     chan struct{} // closed once Listen has its first LISTEN up
	listeningOnce sync.Once

	commits atomic.Pointer[func(size int, took time.Duration)] // ObserveCommits
}

// Open connects to the database named by dsn: a postgres:// (or
// postgresql://) URL selects PostgreSQL, anything else is an SQLite file path
// (created if missing, unless Options.Existing). It does not migrate: call
// Migrate.
func Open(ctx context.Context, dsn string, opt Options) (*Store, error) {
	if opt.Location == nil {
		opt.Location = time.Local
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Synchronous == "" {
		opt.Synchronous = "full"
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	s := &Store{dsn: dsn, loc: opt.Location, log: opt.Logger, clock: opt.Now, origin: newOrigin(), listening: make(chan struct{})}
	var err error
	if IsPostgres(dsn) {
		err = s.openPostgres(ctx, dsn)
	} else {
		err = s.openSQLite(ctx, dsn, opt)
	}
	if err != nil {
		return nil, err
	}
	s.writer = newWriter(s)
	return s, nil
}

// IsPostgres reports whether dsn selects PostgreSQL.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

func (s *Store) openPostgres(ctx context.Context, dsn string) error {
	s.dialect = postgres
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return classify(fmt.Errorf("store: open postgres: %w", err))
	}
	// No JIT compilation unless the DSN asks for it: the planner turns it
	// on past a cost that a search of a large history reaches, and for
	// queries that read a few dozen rows compiling takes longer (25 ms)
	// than running them.
	if _, ok := cfg.RuntimeParams["jit"]; !ok {
		cfg.RuntimeParams["jit"] = "off"
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(20)
	db.SetConnMaxIdleTime(5 * time.Minute)
	var name, schema string
	if err := db.QueryRowContext(ctx, `SELECT current_database(), COALESCE(current_schema(), '')`).Scan(&name, &schema); err != nil {
		db.Close()
		return classify(fmt.Errorf("store: connect to postgres: %w", err))
	}
	s.notifyChannel = notifyChannelFor(name, schema)
	s.w, s.r = db, db
	return nil
}

func (s *Store) openSQLite(ctx context.Context, path string, opt Options) (err error) {
	s.dialect = sqlite
	path = SQLitePath(path)
	if opt.Existing {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w: %s", ErrNoDatabase, path)
		}
	} else if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return classify(fmt.Errorf("store: %w", err))
		}
	}
	if opt.Lock && path != ":memory:" {
		// Before the database is touched: a refused server migrates
		// nothing.
		s.lock, err = lockPath(path)
		if errors.Is(err, errNoLocks) {
			s.log.Warn("store: this system has no file locks: make sure a single server runs on the database", "path", path)
		} else if err != nil {
			return err
		}
		defer func() {
			if err != nil {
				s.lock.release()
				s.lock = nil
			}
		}()
	}
	pragmas := url.Values{}
	for _, p := range []string{
		"journal_mode(WAL)",
		"synchronous(" + strings.ToUpper(opt.Synchronous) + ")",
		"busy_timeout(10000)",
		"foreign_keys(1)",
		"cache_size(-16000)", // 16 MB page cache per connection
		"temp_store(MEMORY)",
	} {
		pragmas.Add("_pragma", p)
	}
	wq := url.Values{"_txlock": {"immediate"}}
	for k, v := range pragmas {
		wq[k] = slices.Clone(v)
	}
	if opt.MaxPageCount > 0 {
		wq.Add("_pragma", "max_page_count("+strconv.Itoa(opt.MaxPageCount)+")")
	}
	w, err := sql.Open("sqlite", "file:"+path+"?"+wq.Encode())
	if err != nil {
		return classify(fmt.Errorf("store: open sqlite: %w", err))
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	// The first connection creates the file and switches it to WAL before
	// the readers open it.
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return classify(fmt.Errorf("store: open sqlite %s: %w", path, err))
	}
	rq := url.Values{}
	for k, v := range pragmas {
		rq[k] = v
	}
	rq.Add("_pragma", "query_only(1)")
	r, err := sql.Open("sqlite", "file:"+path+"?"+rq.Encode())
	if err != nil {
		w.Close()
		return classify(fmt.Errorf("store: open sqlite: %w", err))
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	r.SetConnMaxIdleTime(0)
	s.w, s.r = w, r
	return nil
}

// SQLitePath is the file an SQLite dsn names.
func SQLitePath(dsn string) string {
	return strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite://"), "file:")
}

// Postgres reports whether the store runs on PostgreSQL.
func (s *Store) Postgres() bool { return s.dialect == postgres }

// Location is the time zone clocks are stored in.
func (s *Store) Location() *time.Location { return s.loc }

// Close stops the group committer (after it has written everything it
// accepted) and closes the database.
func (s *Store) Close() error {
	s.writer.close()
	err := s.w.Close()
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	// Last: the next server may open the file once this one is done.
	return errors.Join(err, s.lock.release())
}

// OnChange registers fn to be called after every committed change (in the
// committing goroutine, so fn must be quick and must not call the store's
// write methods).
func (s *Store) OnChange(fn func(Change)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.listeners = append(s.listeners, fn)
}

// ObserveCommits makes fn be told of every group commit: how many writes
// it took together and how long its transaction lasted (metrics). fn is
// called in the committing goroutine and must be quick; it replaces the
// previous one.
func (s *Store) ObserveCommits(fn func(size int, took time.Duration)) { s.commits.Store(&fn) }

func (s *Store) emit(c Change) {
	if c.empty() {
		return
	}
	s.mu.Lock()
	ls := s.listeners
	s.mu.Unlock()
	for _, fn := range ls {
		fn(c)
	}
}

// now is the current time as the database stores it (microseconds, UTC).
func (s *Store) now() time.Time { return s.clock().UTC().Truncate(time.Microsecond) }

// micros converts a time to the stored integer and back.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.UnixMicro(n).UTC()
}

func nullMicros(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return fromMicros(n.Int64)
}
