-- An enterprise's waiting annual plans read through its path and sorted, instead of walking
-- the whole country's queue oldest first to find its few (`storage::plans::submitted` walks
-- the queue only for a scope with thousands waiting).
CREATE INDEX annual_plans_waiting ON annual_plans (state, unit_path);
