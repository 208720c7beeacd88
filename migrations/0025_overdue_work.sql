-- Overdue work found without reading what is not overdue.
--
-- Open follow-up items of inspections are counted by due day in `unit_counters` (`fu:` rows),
-- like running projects by deadline: an officer's home groups the overdue ones by child unit
-- from a few counter rows. The counters are rebuilt from the records after this step.
DELETE FROM unit_counters WHERE counter >= 'fu:' AND counter < 'fu;';

-- The sweep looks for what it has not told yet: indexes of exactly those rows, so that a
-- country's sweep does not walk every milestone, mentorship and follow-up already told.
CREATE INDEX milestones_to_tell ON milestones (due_on, id) WHERE done_on IS NULL AND due_notified = FALSE;
CREATE INDEX mentorships_to_tell ON mentorships (next_due_on)
    WHERE due_told_on IS NULL OR due_told_on <> next_due_on;
CREATE INDEX follow_ups_to_tell ON inspection_follow_ups (due_on, id)
    WHERE state = 'open' AND (overdue_notified_on IS NULL OR overdue_notified_on <> due_on);
