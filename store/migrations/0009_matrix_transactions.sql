-- 0009: Matrix transactions already answered, with a digest of their content. Readable by kontobot 0.7+.

-- A homeserver retries a transaction under the same txnId and must not
-- alter it (application-service-api.md, "Pushing events"): a txnId seen
-- again with other content is a protocol error, logged and not processed.
-- Rows older than a week are forgotten; a retry that late is processed
-- again, which is safe, since every event is processed once by its id.
CREATE TABLE matrix_transactions (
  txn_id       TEXT PRIMARY KEY,
  digest       TEXT NOT NULL,            -- SHA-256 of the body as parsed JSON, hex
  received_at  TEXT NOT NULL
) STRICT;
CREATE INDEX matrix_transactions_by_age ON matrix_transactions(received_at);
