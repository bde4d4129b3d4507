-- Full-text search (store/search.go). The folding the index and the
-- queries share: lower case, then the Latin letters' diacritics dropped
-- (é → e), then ASCII punctuation made a space. translate() rather than
-- the unaccent extension, which a tribune's database role may not be
-- allowed to install; its two strings are search.FoldTable (a test checks
-- them). The punctuation goes so that PostgreSQL's parser sees plain words,
-- as SQLite's tokenizer does: otherwise "Firefox/140" or a URL would be
-- one token, and "firefox" or a host's name would not find them.
CREATE FUNCTION tribune_fold(t text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT regexp_replace(translate(lower(t),
        'àáâãäåçèéêëìíîïñòóôõöùúûüýÿāăąćĉċčďēĕėęěĝğġģĥĩīĭįĵķĺļľńņňōŏőŕŗřśŝşšţťũūŭůűųŵŷźżžơưǎǐǒǔǖǘǚǜǟǡǧǩǫǭǰǵǹǻȁȃȅȇȉȋȍȏȑȓȕȗșțȟȧȩȫȭȯȱȳ',
        'aaaaaaceeeeiiiinooooouuuuyyaaaccccdeeeeegggghiiiijklllnnnooorrrssssttuuuuuuwyzzzouaiouuuuuaagkoojgnaaaeeiioorruusthaeooooy'),
        '[!-/:-@[-`{-~]+', ' ', 'g')
$$;

-- The words of the text, folded, without stemming or stop words (the
-- 'simple' configuration): a chat mixes French, English and slang, and
-- stemming either language's way would make the other's words match
-- wrongly. Generated, so that whatever writes a message indexes it, and
-- the rows already there are indexed by this migration.
ALTER TABLE messages ADD COLUMN search tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', tribune_fold(raw))) STORED;
-- A small pending list: new rows wait in it until they are merged into the
-- index (by vacuum, or when it is full), and every search reads all of it.
-- At the default 4 MB, a rare word takes milliseconds instead of a fraction
-- of one.
CREATE INDEX messages_search ON messages USING gin (search) WITH (gin_pending_list_limit = 256)
    WHERE removed IS NULL;

-- author: compares logins without case.
CREATE INDEX messages_login ON messages (lower(login), id) WHERE login <> '' AND removed IS NULL;
