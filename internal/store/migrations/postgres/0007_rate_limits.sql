-- The rate limits every process of a cluster shares (limits.go): one token
-- bucket per limit and key, kept as the time it is full again (micro-
-- seconds since 1970, by the database's clock). Unlogged: a take is then no
-- WAL flush, and what a crash loses is only buckets, which start full
-- again (also after a failover: standbys do not have them).
CREATE UNLOGGED TABLE rate_limits (
    name TEXT NOT NULL,
    key BYTEA NOT NULL,
    full_at BIGINT NOT NULL,
    PRIMARY KEY (name, key)
);
