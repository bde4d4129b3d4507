-- Nothing: on SQLite a single process serves the database, and keeps its
-- rate limits in memory (PostgreSQL's 0006 makes the shared ones' table).
SELECT 1;
