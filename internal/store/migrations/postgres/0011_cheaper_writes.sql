-- Cheaper writes on PostgreSQL: a post's rows cost the database less.
--
-- 1. The search folding (0009) is the same, letter for letter (the rows
--    indexed before stay true), and cheaper. translate() compares every
--    letter of a text with each of the ~200 of its table: 40 µs a message,
--    most of what an insert cost. Now a text with no letter beyond ASCII
--    skips it, and one whose accents are all in Latin-1 (French's are) goes
--    through the 27 of those alone (a regular expression, compiled once,
--    looks for the others). The parts are disjoint and map to ASCII, so the
--    steps give what the one translate() gave. PL/pgSQL, for its variable;
--    built-in functions alone, so that it works whatever the search_path
--    (a restore sets it empty).
CREATE OR REPLACE FUNCTION tribune_fold(t text) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    l text := lower(t);
BEGIN
    IF octet_length(l) <> char_length(l) THEN
        l := translate(l, 'àáâãäåçèéêëìíîïñòóôõöùúûüýÿ', 'aaaaaaceeeeiiiinooooouuuuyy');
        IF l ~ '[āăąćĉċčďēĕėęěĝğġģĥĩīĭįĵķĺļľńņňōŏőŕŗřśŝşšţťũūŭůűųŵŷźżžơưǎǐǒǔǖǘǚǜǟǡǧǩǫǭǰǵǹǻȁȃȅȇȉȋȍȏȑȓȕȗșțȟȧȩȫȭȯȱȳ]' THEN
            l := translate(l, 'āăąćĉċčďēĕėęěĝğġģĥĩīĭįĵķĺļľńņňōŏőŕŗřśŝşšţťũūŭůűųŵŷźżžơưǎǐǒǔǖǘǚǜǟǡǧǩǫǭǰǵǹǻȁȃȅȇȉȋȍȏȑȓȕȗșțȟȧȩȫȭȯȱȳ', 'aaaccccdeeeeegggghiiiijklllnnnooorrrssssttuuuuuuwyzzzouaiouuuuuaagkoojgnaaaeeiioorruusthaeooooy');
        END IF;
    END IF;
    RETURN regexp_replace(l, '[!-/:-@[-`{-~]+', ' ', 'g');
END
$$;

-- 2. The day and hour counts (0010) are kept per statement for inserts:
--    a batch of posts is one INSERT, and its counts one upsert per channel,
--    day and hour instead of two per message. Updating one row per message
--    left as many dead versions of it, which every later update walks while
--    a long transaction (a backup, an export) keeps them from being
--    pruned: posting slowed down by the minute. Removals and deletions
--    stay per row (a transition table cannot follow one column).
DROP TRIGGER message_counts_change ON messages;
CREATE TRIGGER message_counts_change AFTER DELETE OR UPDATE OF removed ON messages
    FOR EACH ROW EXECUTE FUNCTION message_counts_change();

CREATE FUNCTION message_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO message_counts (channel_id, day, hour, n)
        SELECT channel_id, day, clock / 3600, COUNT(*) FROM new_messages WHERE removed IS NULL
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (channel_id, day, hour) DO UPDATE SET n = message_counts.n + EXCLUDED.n;
    INSERT INTO message_days (channel_id, day, n)
        SELECT channel_id, day, COUNT(*) FROM new_messages WHERE removed IS NULL
        GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (channel_id, day) DO UPDATE SET n = message_days.n + EXCLUDED.n;
    RETURN NULL;
END
$$;
CREATE TRIGGER message_counts_insert AFTER INSERT ON messages REFERENCING NEW TABLE AS new_messages
    FOR EACH STATEMENT EXECUTE FUNCTION message_counts_insert();
