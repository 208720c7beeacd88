-- Mentorship (师带徒, SPEC §3.8): agreements, their assessments, what the apprentices achieved,
-- and each enterprise's assessment interval.
CREATE TABLE mentorships (
    id @ID@,
    studio_id BIGINT NOT NULL REFERENCES studios (id),
    -- The studio's unit: the agreement is seen and counted where its studio is.
    unit_path @PATH@ NOT NULL,
    mentor_person_id BIGINT NOT NULL REFERENCES people (id),
    apprentice_person_id BIGINT NOT NULL REFERENCES people (id),
    trade TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    target_grade TEXT,
    target_competition TEXT,
    teaching_plan TEXT NOT NULL,
    allowance_fen BIGINT NOT NULL,
    -- Months between periodic assessments, fixed when the agreement is proposed.
    assess_months BIGINT NOT NULL,
    state TEXT NOT NULL,
    -- The failed agreement this one renews with a new mentor.
    renews_id BIGINT REFERENCES mentorships (id),
    proposed_by BIGINT NOT NULL REFERENCES accounts (id),
    proposed_at BIGINT NOT NULL,
    paired_by BIGINT REFERENCES accounts (id),
    paired_at BIGINT,
    paired_note TEXT,
    agreed_by BIGINT REFERENCES accounts (id),
    agreed_at BIGINT,
    agreed_note TEXT,
    refused_by BIGINT REFERENCES accounts (id),
    refused_at BIGINT,
    refusal_reason TEXT,
    -- In force: the day the next periodic assessment falls due, and the due day already told.
    next_due_on TEXT,
    due_told_on TEXT,
    -- The final assessment: grade, day, the allowance it paid (fen).
    final_grade TEXT,
    finished_on TEXT,
    allowance_paid_fen BIGINT,
    -- The first day the apprentice is no longer under this agreement (the end of its stretch).
    until_on TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX mentorships_unit ON mentorships (unit_path, starts_on);
CREATE INDEX mentorships_studio ON mentorships (studio_id, starts_on);
CREATE INDEX mentorships_pair ON mentorships (apprentice_person_id, mentor_person_id);
CREATE INDEX mentorships_mentor ON mentorships (mentor_person_id);
CREATE INDEX mentorships_finished ON mentorships (unit_path, finished_on) WHERE finished_on IS NOT NULL;
CREATE INDEX mentorships_due ON mentorships (next_due_on) WHERE next_due_on IS NOT NULL;

CREATE TABLE mentorship_assessments (
    id @ID@,
    mentorship_id BIGINT NOT NULL REFERENCES mentorships (id),
    kind TEXT NOT NULL,
    held_on TEXT NOT NULL,
    apprentice_score BIGINT NOT NULL,
    mentor_score BIGINT NOT NULL,
    -- The mentor's result bound to the apprentice's (捆绑考核).
    mentor_result BIGINT NOT NULL,
    final_grade TEXT,
    note TEXT,
    recorded_by BIGINT NOT NULL REFERENCES accounts (id),
    recorded_at BIGINT NOT NULL
);
CREATE INDEX mentorship_assessments_of ON mentorship_assessments (mentorship_id, held_on);

CREATE TABLE apprentice_results (
    id @ID@,
    mentorship_id BIGINT NOT NULL REFERENCES mentorships (id),
    person_id BIGINT NOT NULL REFERENCES people (id),
    unit_path @PATH@ NOT NULL,
    kind TEXT NOT NULL,
    achieved_on TEXT NOT NULL,
    grade TEXT,
    certificate_no TEXT,
    competition TEXT,
    placing_won TEXT,
    -- 1 when a promotion to 技师 or above within three years of the start earns the mentor a reward.
    earns_reward BIGINT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES accounts (id),
    recorded_at BIGINT NOT NULL
);
CREATE INDEX apprentice_results_unit ON apprentice_results (unit_path, achieved_on);
CREATE INDEX apprentice_results_person ON apprentice_results (person_id, achieved_on);
CREATE INDEX apprentice_results_of ON apprentice_results (mentorship_id);
CREATE INDEX apprentice_results_reward ON apprentice_results (unit_path, achieved_on) WHERE earns_reward = 1;

CREATE TABLE mentorship_settings (
    enterprise_id BIGINT PRIMARY KEY REFERENCES org_units (id),
    assess_months BIGINT NOT NULL,
    updated_by BIGINT NOT NULL REFERENCES accounts (id),
    updated_at BIGINT NOT NULL
);
