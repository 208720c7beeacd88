-- An objection raised during the public notice is ruled on before the naming: upheld (the
-- application is declined; migration 19's `upheld` = 1) or dismissed (`upheld` = 0) with the
-- union's reply, which the applicant and the objector see. Unruled objections hold the naming.
ALTER TABLE round_objections ADD COLUMN ruling TEXT;
ALTER TABLE round_objections ADD COLUMN ruled_on TEXT;
ALTER TABLE round_objections ADD COLUMN ruled_by BIGINT REFERENCES accounts (id);
