-- The skeleton of each account's name (Unicode TS #39, auth.Skeleton), so
-- that a new name looking like an existing one (аdmin with a Cyrillic а,
-- adrnin, I33t) is refused by one indexed look-up. SQL cannot compute it:
-- the tribune fills it from Go, for a new account when it creates it and
-- for older ones when it starts and before it creates an account. Two
-- accounts never share one: of older accounts that look alike, the later
-- ones get 'SKELETON#ID', which no name's skeleton is.
ALTER TABLE users ADD COLUMN name_skeleton TEXT;
CREATE UNIQUE INDEX users_name_skeleton ON users (name_skeleton);
