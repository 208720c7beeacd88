-- Funding (经费, SPEC §3.10): a studio's budget for a year from several sources, and its
-- expenses, submitted by the studio and decided by the enterprise. The budget row is what
-- every write of the year's money locks first (PostgreSQL: FOR UPDATE), so two expenses
-- submitted or approved at once are checked one after the other against what remains.

CREATE TABLE budgets (
    id @ID@,
    studio_id BIGINT NOT NULL REFERENCES studios (id),
    unit_path @PATH@ NOT NULL,
    year BIGINT NOT NULL,
    -- The categories the money may pay for (domain::funding::ExpenseCategory codes, comma-separated).
    categories TEXT NOT NULL,
    note TEXT,
    updated_by BIGINT REFERENCES accounts (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX budgets_studio_year ON budgets (studio_id, year);

-- One source's part of a budget; dated 1 January of its year for the figures.
CREATE TABLE budget_lines (
    id @ID@,
    budget_id BIGINT NOT NULL REFERENCES budgets (id),
    studio_id BIGINT NOT NULL REFERENCES studios (id),
    unit_path @PATH@ NOT NULL,
    funded_on TEXT NOT NULL,
    source TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    note TEXT
);
CREATE INDEX budget_lines_budget ON budget_lines (budget_id, id);
CREATE INDEX budget_lines_tree ON budget_lines (unit_path, funded_on);

CREATE TABLE expenses (
    id @ID@,
    studio_id BIGINT NOT NULL REFERENCES studios (id),
    unit_path @PATH@ NOT NULL,
    budget_id BIGINT NOT NULL REFERENCES budgets (id),
    spent_on TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    category TEXT NOT NULL,
    purpose TEXT NOT NULL,
    project_id BIGINT REFERENCES projects (id),
    state TEXT NOT NULL,
    submitted_by BIGINT NOT NULL REFERENCES accounts (id),
    submitted_at BIGINT NOT NULL,
    decided_by BIGINT REFERENCES accounts (id),
    decided_at BIGINT,
    reason TEXT
);
-- What a budget carries (approved and reserved), summed under its lock.
CREATE INDEX expenses_budget ON expenses (budget_id, state);
CREATE INDEX expenses_studio ON expenses (studio_id, spent_on, id);
-- Approved spending of a subtree by day: the figures' direct counts and lists.
CREATE INDEX expenses_tree ON expenses (unit_path, spent_on);
-- The enterprise's queue: what waits for a decision in a subtree.
CREATE INDEX expenses_waiting ON expenses (unit_path, id) WHERE state = 'submitted';
