-- How many messages of the channel were ever removed: with the id of its
-- newest message, it names the content of the channel's backends (their
-- ETag). It only grows; its starting value does not matter.
ALTER TABLE channels ADD COLUMN removals BIGINT NOT NULL DEFAULT 0;
