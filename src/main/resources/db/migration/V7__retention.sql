-- Authorize starts per connect session, counted atomically (OAuthConnect): one link must not start thousands of
-- flows, each writing a state row and an operation.
ALTER TABLE connect_sessions ADD COLUMN starts INT NOT NULL DEFAULT 0;
-- The purge route (routes/purge.camel.yaml) deletes expired OAuth state and connect sessions in batches by these.
CREATE INDEX oauth_sessions_expires_at ON oauth_sessions (expires_at);
CREATE INDEX connect_sessions_expires_at ON connect_sessions (expires_at);
CREATE INDEX connect_sessions_used_at ON connect_sessions (used_at);
