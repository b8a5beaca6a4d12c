-- The WebSocket of @nangohq/frontend that started this OAuth flow (ws_client_id of /oauth/connect): the callback
-- sends the flow's outcome there.
ALTER TABLE oauth_sessions ADD COLUMN ws_client_id VARCHAR(64);
