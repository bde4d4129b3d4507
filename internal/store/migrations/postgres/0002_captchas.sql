-- Captcha solutions, in the database so that any server process can check
-- an answer to a captcha another one showed.
CREATE TABLE captchas (
    id      TEXT    PRIMARY KEY,
    digits  TEXT    NOT NULL,
    expires BIGINT  NOT NULL
);
CREATE INDEX captchas_expires ON captchas (expires);
