-- Secrets every server process sharing the database must agree on: the key
-- that signs session tokens and captcha ids, created by the first process
-- that needs it. The value is hex.
CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
