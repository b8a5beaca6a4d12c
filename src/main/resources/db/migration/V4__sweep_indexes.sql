-- The refresh sweep (routes/token-refresh.camel.yaml) finds idle connections to keep alive by the age of their
-- refresh token; without this index that half of its query scans the whole table every minute.
CREATE INDEX connections_refresh_token_issued_at ON connections (refresh_token_issued_at);
