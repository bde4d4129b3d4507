-- Personal access tokens: a coincoin or a script acts as its user with
-- one. Only the token's SHA-256 is kept (hash, looked up by its unique
-- index). data is the token's own session data (its BaK filters), as a
-- session row keeps it.
CREATE TABLE tokens (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    hash      TEXT    NOT NULL UNIQUE,
    name      TEXT    NOT NULL DEFAULT '',
    scope     TEXT    NOT NULL DEFAULT 'post', -- post or moderate
    created   INTEGER NOT NULL,
    last_used INTEGER,                         -- at most a minute behind
    data      TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX tokens_user ON tokens (user_id, id);
