-- Queues read on every home page, oldest first: the plans waiting for agreement are found in
-- the order they wait, the scope checked in the index, so a province's queue reads its first
-- rows instead of sorting every submitted plan of the province.
CREATE INDEX annual_plans_queue ON annual_plans (state, submitted_at, unit_path);
