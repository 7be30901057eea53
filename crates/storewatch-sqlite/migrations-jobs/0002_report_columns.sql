-- The columns a report was asked for: 'standard' (SPEC section 3, step 6) or
-- 'extended' (step 9). The stored CSV always has the extended columns; the
-- standard ones are its first seven.
ALTER TABLE reports ADD COLUMN columns TEXT NOT NULL DEFAULT 'standard'
    CHECK (columns IN ('standard', 'extended'));
