-- The answers to API writes sent with an `Idempotency-Key`, per caller, kept 24 hours so that
-- a retried request gets the first answer instead of writing again. `status` is NULL while
-- the first request still runs.
CREATE TABLE idempotency_keys (
    account_id BIGINT NOT NULL,
    idem_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    status BIGINT,
    content_type TEXT,
    body @BLOB@,
    PRIMARY KEY (account_id, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
