-- Times are Unix microseconds (UTC) unless said otherwise.
CREATE TABLE channels (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    slug             TEXT    NOT NULL UNIQUE,   -- '' is the default channel
    title            TEXT    NOT NULL,
    created          INTEGER NOT NULL,
    mode             TEXT    NOT NULL DEFAULT 'open',
    moderators       TEXT    NOT NULL DEFAULT '[]', -- JSON array of specs
    auto_moderate_as TEXT    NOT NULL DEFAULT ''    -- '' = site default
);
INSERT INTO channels (slug, title, created) VALUES ('', 'Tribune', 0);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT    NOT NULL,
    username_key  TEXT    NOT NULL UNIQUE,        -- case-folded, for uniqueness
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL DEFAULT 'user',
    created       INTEGER NOT NULL,
    prefs         TEXT    NOT NULL DEFAULT '{}'
);

-- BaK filters saved to a profile with /bak save.
CREATE TABLE filters (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    target  TEXT    NOT NULL,
    kind    TEXT    NOT NULL,
    value   TEXT    NOT NULL
);
CREATE INDEX filters_user ON filters (user_id, id);

CREATE TABLE sessions (
    id      TEXT    PRIMARY KEY,                  -- SHA-256 of the cookie token
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    created INTEGER NOT NULL,
    expires INTEGER NOT NULL,
    data    TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX sessions_expires ON sessions (expires);
CREATE INDEX sessions_user ON sessions (user_id);

-- Published messages. AUTOINCREMENT: an id is never reused, even after a
-- removal or a channel deletion.
CREATE TABLE messages (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id     INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    created        INTEGER NOT NULL,
    modified       INTEGER NOT NULL,              -- Last-Modified stamp, Unix seconds
    clock          INTEGER NOT NULL,              -- local seconds since midnight
    day            INTEGER NOT NULL,              -- local date as YYYYMMDD
    clock_index    INTEGER NOT NULL,
    info           TEXT    NOT NULL,
    author_id      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    login          TEXT    NOT NULL DEFAULT '',
    raw            TEXT    NOT NULL,
    web            TEXT    NOT NULL,
    remote         TEXT    NOT NULL,
    session_id     TEXT    NOT NULL DEFAULT '',
    ip             TEXT    NOT NULL DEFAULT '',
    submitted      INTEGER NOT NULL,
    removed        INTEGER,
    removed_by     TEXT    NOT NULL DEFAULT '',
    removed_reason TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX messages_channel ON messages (channel_id, id);
CREATE INDEX messages_clock ON messages (channel_id, clock);

-- Everything sent to a moderated channel, with its moderation record.
CREATE TABLE submissions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    submitted  INTEGER NOT NULL,
    info       TEXT    NOT NULL,
    author_id  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    login      TEXT    NOT NULL DEFAULT '',
    raw        TEXT    NOT NULL,
    web        TEXT    NOT NULL,
    remote     TEXT    NOT NULL,
    session_id TEXT    NOT NULL DEFAULT '',
    ip         TEXT    NOT NULL DEFAULT '',
    status     TEXT    NOT NULL,
    reason     TEXT    NOT NULL DEFAULT '',
    decided_by TEXT    NOT NULL DEFAULT '',
    decided_at INTEGER,
    message_id INTEGER
);
CREATE INDEX submissions_status ON submissions (status, id);
CREATE INDEX submissions_channel ON submissions (channel_id, submitted);
CREATE INDEX submissions_session ON submissions (session_id, id);
CREATE INDEX submissions_author ON submissions (author_id, id);

-- URL archive: the first URLs of each message, each URL once.
CREATE TABLE urls (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    created    INTEGER NOT NULL,
    login      TEXT    NOT NULL DEFAULT '',
    url        TEXT    NOT NULL,
    url_hash   TEXT    NOT NULL UNIQUE
);
CREATE INDEX urls_created ON urls (created);
CREATE INDEX urls_message ON urls (message_id);
