-- Keyword search of titles (suggestions, projects, outcomes, challenges): one row per record
-- holding its title's character pairs (`domain::search::keyword_text`). On SQLite a contentless
-- FTS5 table keeps the postings compressed and answers a pair in one seek; on PostgreSQL a GIN
-- index over the pairs does the same. Studios are found by name, field and leader through
-- `search_terms`. The step after this file fills both from the records.
@KEYWORDS suggestion_keywords@
@KEYWORDS project_keywords@
@KEYWORDS outcome_keywords@
@KEYWORDS challenge_keywords@

-- Outcome lists run newest first: over a wide subtree they walk this index rather than read the
-- whole subtree and sort it.
CREATE INDEX outcomes_achieved ON outcomes (achieved_on, id);
