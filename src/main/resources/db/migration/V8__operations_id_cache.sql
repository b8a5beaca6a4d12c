-- Operation ids come from the identity's sequence. H2 saves a sequence's next value every CACHE values in a transaction
-- of its own, and with WRITE_DELAY=0 each such commit writes the store file: at H2's default cache of 32, a batch of
-- 1,000 operation rows made 31 extra file writes, 46% of the operation-log writer's CPU (bench/OpLogBench.java,
-- docs/BENCHMARKS.md). On H2 the placeholder is 10,000 (Database.migrate): one such write per ~10 batches. H2's cache
-- is one per database, so ids still follow insert order; a restart skips the unused part of the cache (a gap in ids).
-- PostgreSQL caches per session, which would give ids out of insert order across pooled connections (the Logs API
-- pages newest first by id), so there the placeholder is 1: no cache, as before.
ALTER TABLE operations ALTER COLUMN id SET CACHE ${operations_id_cache};
