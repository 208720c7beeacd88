-- A confirmed import of people is written in slices, so that it never holds the single writer
-- of SQLite for long: its rows are first staged here (nothing visible), then published slice
-- by slice into `people`. A batch is one confirmed import: `staging` while its rows come in
-- (a refused or abandoned batch is deleted with them), `publishing` once every row is staged
-- and checked — from then on it is carried to the end, by its job or, after a crash, by the
-- sweep. A staged row holds its employee number in its enterprise against other imports.
CREATE TABLE import_batches (
    id @ID@,
    account_id BIGINT NOT NULL,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    touched_at BIGINT NOT NULL
);
CREATE TABLE import_staged (
    id @ID@,
    batch_id BIGINT NOT NULL,
    enterprise_path @PATH@ NOT NULL,
    employee_no TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE UNIQUE INDEX import_staged_number ON import_staged (employee_no, enterprise_path);
CREATE INDEX import_staged_batch ON import_staged (batch_id, id);
