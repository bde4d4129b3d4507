-- Cheaper writes: PostgreSQL's folding and counts (its 0011) change;
-- SQLite's need nothing. The versions stay the same on both.
SELECT 1;
