-- Bringing an existing register in: namings registered after the fact may have lost their
-- certificate number (stored empty; a naming unit's numbers stay unique where given), and
-- the importer finds units by name and studios by name within their unit.
DROP INDEX studio_namings_certificate;
CREATE UNIQUE INDEX studio_namings_certificate ON studio_namings (naming_unit_id, certificate_no)
    WHERE certificate_no <> '';
CREATE INDEX org_units_name ON org_units (name);
CREATE INDEX studios_unit_name ON studios (unit_id, name);
