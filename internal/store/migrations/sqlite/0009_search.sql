-- Full-text search (store/search.go). A contentless FTS5 index of the
-- published messages, keyed by message id: the text, the identity (user
-- agent or chosen name) and the login, folded by the unicode61 tokenizer
-- (case and diacritics: "eleve" finds "élève"). Nothing is stemmed: a chat
-- mixes French, English and slang. The triggers keep it in step with the
-- messages table whatever writes to it; a removed or deleted message leaves
-- it at once. Results are always joined back to messages as well.
CREATE VIRTUAL TABLE message_search USING fts5(
    body, ua, author,
    tokenize = 'unicode61 remove_diacritics 2',
    content = '', contentless_delete = 1
);
INSERT INTO message_search (rowid, body, ua, author)
    SELECT id, raw, info, login FROM messages WHERE removed IS NULL;

CREATE TRIGGER message_search_insert AFTER INSERT ON messages WHEN new.removed IS NULL BEGIN
    INSERT INTO message_search (rowid, body, ua, author) VALUES (new.id, new.raw, new.info, new.login);
END;
CREATE TRIGGER message_search_update AFTER UPDATE OF raw, info, login, removed ON messages BEGIN
    DELETE FROM message_search WHERE rowid = old.id;
    INSERT INTO message_search (rowid, body, ua, author)
        SELECT new.id, new.raw, new.info, new.login WHERE new.removed IS NULL;
END;
CREATE TRIGGER message_search_delete AFTER DELETE ON messages BEGIN
    DELETE FROM message_search WHERE rowid = old.id;
END;

