-- The studios at risk of failing the year (SPEC §3.12): each named studio's evaluation of the
-- current year on its records so far, kept by forecast runs (once a day by the sweep, or when
-- an officer asks), so that the list of a province or of the country is read, not scored, per
-- request. `shortfalls` holds the items short of their max (JSON).
CREATE TABLE evaluation_forecasts (
    year BIGINT NOT NULL,
    studio_id BIGINT NOT NULL REFERENCES studios (id),
    unit_path @PATH@ NOT NULL,
    total BIGINT NOT NULL,
    qualified BIGINT NOT NULL,
    shortfalls TEXT NOT NULL,
    run_id BIGINT NOT NULL,
    computed_at BIGINT NOT NULL,
    PRIMARY KEY (year, studio_id)
);
-- A subtree's counts (all, and at risk) from the index alone.
CREATE INDEX evaluation_forecasts_unit ON evaluation_forecasts (year, unit_path, total, qualified, computed_at);
-- The studios at risk, lowest total first.
CREATE INDEX evaluation_forecasts_lowest ON evaluation_forecasts (year, total, studio_id) WHERE total < qualified;

-- What a run computes: the year's evaluations, or the forecasts behind the at-risk list.
ALTER TABLE evaluation_runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'evaluation';
