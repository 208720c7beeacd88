-- An API token may stop working on a day its owner chose.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
