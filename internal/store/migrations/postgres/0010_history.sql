-- History: the clock finder, day archives and permalinks read indexes, not
-- the channel's whole history.
--
-- The clock finder asks for a channel's messages at a clock (of a day,
-- when dated, of an index when given), newest first: the day and the index
-- ride along so that the lookup reads the index alone. Partial indexes:
-- removed messages are never shown.
DROP INDEX messages_clock;
CREATE INDEX messages_clock ON messages (channel_id, clock, id) INCLUDE (day, clock_index) WHERE removed IS NULL;
-- A day's archive, in id order.
CREATE INDEX messages_day ON messages (channel_id, day, id) WHERE removed IS NULL;

-- How many published messages a channel has per local day, and per day
-- and hour: the archives' index and activity charts, without counting the
-- messages (a channel's days are a few thousand rows, its hours 24 times
-- that). Kept by a trigger, so that every write and every removal (and a
-- channel's deletion, by its cascade) keeps them true. A count may reach
-- 0; readers skip those.
CREATE TABLE message_days (
    channel_id BIGINT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    day        BIGINT NOT NULL, -- local date as YYYYMMDD
    n          BIGINT NOT NULL,
    PRIMARY KEY (channel_id, day)
);
INSERT INTO message_days (channel_id, day, n)
    SELECT channel_id, day, COUNT(*) FROM messages WHERE removed IS NULL GROUP BY channel_id, day;

CREATE TABLE message_counts (
    channel_id BIGINT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    day        BIGINT NOT NULL, -- local date as YYYYMMDD
    hour       BIGINT NOT NULL, -- local hour, 0-23
    n          BIGINT NOT NULL,
    PRIMARY KEY (channel_id, day, hour)
);
INSERT INTO message_counts (channel_id, day, hour, n)
    SELECT channel_id, day, clock / 3600, COUNT(*) FROM messages WHERE removed IS NULL
    GROUP BY channel_id, day, clock / 3600;

CREATE FUNCTION message_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.removed IS NULL THEN
        UPDATE message_counts SET n = n - 1
            WHERE channel_id = OLD.channel_id AND day = OLD.day AND hour = OLD.clock / 3600;
        UPDATE message_days SET n = n - 1 WHERE channel_id = OLD.channel_id AND day = OLD.day;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.removed IS NULL THEN
        INSERT INTO message_counts (channel_id, day, hour, n) VALUES (NEW.channel_id, NEW.day, NEW.clock / 3600, 1)
            ON CONFLICT (channel_id, day, hour) DO UPDATE SET n = message_counts.n + 1;
        INSERT INTO message_days (channel_id, day, n) VALUES (NEW.channel_id, NEW.day, 1)
            ON CONFLICT (channel_id, day) DO UPDATE SET n = message_days.n + 1;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER message_counts_change AFTER INSERT OR DELETE OR UPDATE OF removed ON messages
    FOR EACH ROW EXECUTE FUNCTION message_counts_change();
