-- Nango's connect-session "overrides" (per-integration UI overrides such as docs_connect), kept for GET /connect/session.
ALTER TABLE connect_sessions ADD COLUMN overrides VARCHAR(100000);
