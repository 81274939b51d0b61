-- From src/store/schema.ts (drizzle-kit generated a MODIFY, a DROP and an ADD per column, which is
-- up to fourteen copies of the table; written by hand as one statement, the columns kept in place).
-- The calendar columns and the sizes become VIRTUAL: derived by the database from `ts` and `bytes`
-- on read, never stored or sent. Their values stay the same (test/integration/derived-columns.test.ts).
ALTER TABLE `clean_log`
  DROP COLUMN `year`,
  DROP COLUMN `month`,
  DROP COLUMN `day`,
  DROP COLUMN `day_of_week`,
  DROP COLUMN `time`,
  DROP COLUMN `size_kb`,
  DROP COLUMN `size_mb`,
  ADD COLUMN `year` smallint unsigned GENERATED ALWAYS AS (year(`ts`)) VIRTUAL AFTER `utc_offset_min`,
  ADD COLUMN `month` tinyint unsigned GENERATED ALWAYS AS (month(`ts`)) VIRTUAL AFTER `year`,
  ADD COLUMN `day` tinyint unsigned GENERATED ALWAYS AS (dayofmonth(`ts`)) VIRTUAL AFTER `month`,
  ADD COLUMN `day_of_week` varchar(9) GENERATED ALWAYS AS (elt(dayofweek(`ts`), 'Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday')) VIRTUAL AFTER `day`,
  ADD COLUMN `time` time GENERATED ALWAYS AS (maketime(hour(`ts`), minute(`ts`), second(`ts`))) VIRTUAL AFTER `day_of_week`,
  ADD COLUMN `size_kb` double GENERATED ALWAYS AS (`bytes` / 1024e0) VIRTUAL AFTER `bytes`,
  ADD COLUMN `size_mb` double GENERATED ALWAYS AS (`bytes` / 1048576e0) VIRTUAL AFTER `size_kb`;
