-- What a report holds (SPEC section 6): `week`, or a period report's kind
-- and span, as storewatch_core::report::ReportSpec writes it.
ALTER TABLE reports ADD COLUMN kind TEXT NOT NULL DEFAULT 'week';
