-- One's own suggestions include those one typed in for someone else: found by the submitting
-- account without reading every suggestion.
CREATE INDEX suggestions_submitted_by ON suggestions (submitted_by, id);
