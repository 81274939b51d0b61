-- From src/store/schema.ts (drizzle-kit generated a DROP INDEX, an ADD and a CREATE INDEX; written by
-- hand as one statement, so that the table is rebuilt once). The search-by-address index led by the
-- address, (ip, ts), put each live line's entry at a random leaf of the day's index; on a busy day
-- that index outgrew the buffer pool and slowed ingest (bench/RESULTS.md, issue 15). Led by the
-- UTC hour of `ts` instead, its writes are random only within the current hour. `ts_hour` is
-- VIRTUAL: never stored in the rows, only in this index.
-- Cost: a virtual column cannot be added to a partitioned table in place (MariaDB 10.11 refuses
-- INSTANT, NOCOPY and INPLACE for it; MySQL's manual says the same of partitioned tables), so this
-- copies clean_log once, the new index built in the same copy: it needs free disk of about the size
-- of clean_log, and minutes per ten million rows (bench/RESULTS.md). Run it with the consumers
-- stopped, as `lograbbit setup`.
ALTER TABLE `clean_log`
  ADD COLUMN `ts_hour` int unsigned GENERATED ALWAYS AS (to_seconds(`ts`) div 3600) VIRTUAL AFTER `time`,
  DROP INDEX `clean_log_ip_ts`,
  ADD INDEX `clean_log_hour_ip_ts` (`ts_hour`, `ip`, `ts`, `event_id`);
