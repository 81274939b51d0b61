-- Rollups (src/store/schema.ts, src/store/rollup/): new tables, then the lines already stored
-- counted into them (below); opening the store fills their visitors (rollup/visitor-backfill.ts).
CREATE TABLE `rollup_counted` (
	`stream_id` binary(8) NOT NULL,
	`source` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`ranges` mediumblob NOT NULL,
	`updated_at` datetime(3) NOT NULL,
	CONSTRAINT `rollup_counted_stream_id` PRIMARY KEY(`stream_id`)
);
--> statement-breakpoint
CREATE TABLE `rollup_hour` (
	`source` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`bucket` datetime NOT NULL,
	`requests` bigint unsigned NOT NULL,
	`bytes` bigint unsigned NOT NULL,
	`s2xx` bigint unsigned NOT NULL,
	`s3xx` bigint unsigned NOT NULL,
	`s4xx` bigint unsigned NOT NULL,
	`s5xx` bigint unsigned NOT NULL,
	`bots` bigint unsigned NOT NULL,
	`humans` bigint unsigned NOT NULL,
	`first_ts` datetime(3) NOT NULL,
	`last_ts` datetime(3) NOT NULL,
	`visitors` blob NOT NULL,
	CONSTRAINT `rollup_hour_source_bucket_pk` PRIMARY KEY(`source`,`bucket`)
);
--> statement-breakpoint
CREATE TABLE `rollup_minute` (
	`source` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`bucket` datetime NOT NULL,
	`requests` bigint unsigned NOT NULL,
	`bytes` bigint unsigned NOT NULL,
	`s2xx` bigint unsigned NOT NULL,
	`s3xx` bigint unsigned NOT NULL,
	`s4xx` bigint unsigned NOT NULL,
	`s5xx` bigint unsigned NOT NULL,
	`bots` bigint unsigned NOT NULL,
	`humans` bigint unsigned NOT NULL,
	`first_ts` datetime(3) NOT NULL,
	`last_ts` datetime(3) NOT NULL,
	`visitors` blob NOT NULL,
	CONSTRAINT `rollup_minute_source_bucket_pk` PRIMARY KEY(`source`,`bucket`)
);
--> statement-breakpoint
CREATE TABLE `rollup_state` (
	`name` varchar(64) NOT NULL,
	`value` datetime NOT NULL,
	CONSTRAINT `rollup_state_name` PRIMARY KEY(`name`)
);
--> statement-breakpoint
CREATE TABLE `rollup_top` (
	`dimension` varchar(16) NOT NULL,
	`source` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`bucket` datetime NOT NULL,
	`value_key` binary(16) NOT NULL,
	`value` varchar(255),
	`requests` bigint unsigned NOT NULL,
	`bytes` bigint unsigned NOT NULL,
	CONSTRAINT `rollup_top_dimension_source_bucket_value_key_pk` PRIMARY KEY(`dimension`,`source`,`bucket`,`value_key`)
);
--> statement-breakpoint
CREATE INDEX `rollup_hour_bucket` ON `rollup_hour` (`bucket`);--> statement-breakpoint
CREATE INDEX `rollup_minute_bucket` ON `rollup_minute` (`bucket`);--> statement-breakpoint
CREATE INDEX `rollup_top_bucket` ON `rollup_top` (`dimension`,`bucket`);
--> statement-breakpoint
-- The lines already stored, counted once, as the consumers count theirs (src/store/rollup/): per
-- source and bucket, values compared byte for byte. The visitor sketches cannot be made in SQL: a
-- bucket with client addresses gets the one byte 0x00 ("to be filled"), which setup replaces with
-- the sketch of its lines (src/store/rollup/visitor-backfill.ts).
INSERT INTO `rollup_minute` (`source`, `bucket`, `requests`, `bytes`, `s2xx`, `s3xx`, `s4xx`, `s5xx`, `bots`, `humans`, `first_ts`, `last_ts`, `visitors`)
SELECT CAST(`source` AS BINARY), CAST(DATE_FORMAT(`ts`, '%Y-%m-%d %H:%i:00') AS DATETIME), COUNT(*), SUM(`bytes`),
  SUM(`status` BETWEEN 200 AND 299), SUM(`status` BETWEEN 300 AND 399), SUM(`status` BETWEEN 400 AND 499), SUM(`status` BETWEEN 500 AND 599),
  SUM(`is_bot` <=> 1), SUM(`is_bot` <=> 0), MIN(`ts`), MAX(`ts`), IF(COUNT(`ip`) > 0, x'00', x'')
FROM `clean_log` GROUP BY CAST(`source` AS BINARY), CAST(DATE_FORMAT(`ts`, '%Y-%m-%d %H:%i:00') AS DATETIME);
--> statement-breakpoint
INSERT INTO `rollup_hour` (`source`, `bucket`, `requests`, `bytes`, `s2xx`, `s3xx`, `s4xx`, `s5xx`, `bots`, `humans`, `first_ts`, `last_ts`, `visitors`)
SELECT CAST(`source` AS BINARY), CAST(DATE_FORMAT(`ts`, '%Y-%m-%d %H:00:00') AS DATETIME), COUNT(*), SUM(`bytes`),
  SUM(`status` BETWEEN 200 AND 299), SUM(`status` BETWEEN 300 AND 399), SUM(`status` BETWEEN 400 AND 499), SUM(`status` BETWEEN 500 AND 599),
  SUM(`is_bot` <=> 1), SUM(`is_bot` <=> 0), MIN(`ts`), MAX(`ts`), IF(COUNT(`ip`) > 0, x'00', x'')
FROM `clean_log` GROUP BY CAST(`source` AS BINARY), CAST(DATE_FORMAT(`ts`, '%Y-%m-%d %H:00:00') AS DATETIME);
--> statement-breakpoint
INSERT INTO `rollup_top` (`dimension`, `source`, `bucket`, `value_key`, `value`, `requests`, `bytes`)
SELECT `dimension`, `source_bytes`, `bucket`, IF(`value` IS NULL, x'00000000000000000000000000000000', UNHEX(MD5(`value`))), MIN(`value`), COUNT(*), SUM(`bytes`)
FROM (
  SELECT 'path' AS `dimension`, CAST(`source` AS BINARY) AS `source_bytes`, CAST(DATE_FORMAT(`ts`, '%Y-%m-%d %H:00:00') AS DATETIME) AS `bucket`, LEFT(`path`, 255) AS `value`, `bytes` FROM `clean_log`
  UNION ALL SELECT 'notFound', CAST(`source` AS BINARY), CAST(DATE_FORMAT(`ts`, '%Y-%m-%d %H:00:00') AS DATETIME), LEFT(`path`, 255), `bytes` FROM `clean_log` WHERE `status` = 404
  UNION ALL SELECT 'host', CAST(`source` AS BINARY), CAST(DATE_FORMAT(`ts`, '%Y-%m-%d %H:00:00') AS DATETIME), `host`, `bytes` FROM `clean_log`
  UNION ALL SELECT 'country', CAST(`source` AS BINARY), CAST(DATE_FORMAT(`ts`, '%Y-%m-%d %H:00:00') AS DATETIME), `country`, `bytes` FROM `clean_log`
  UNION ALL SELECT 'browser', CAST(`source` AS BINARY), CAST(DATE_FORMAT(`ts`, '%Y-%m-%d %H:00:00') AS DATETIME), `browser`, `bytes` FROM `clean_log`
  UNION ALL SELECT 'os', CAST(`source` AS BINARY), CAST(DATE_FORMAT(`ts`, '%Y-%m-%d %H:00:00') AS DATETIME), `os`, `bytes` FROM `clean_log`
  UNION ALL SELECT 'device', CAST(`source` AS BINARY), CAST(DATE_FORMAT(`ts`, '%Y-%m-%d %H:00:00') AS DATETIME), `device`, `bytes` FROM `clean_log`
  UNION ALL SELECT 'referrer', CAST(`source` AS BINARY), CAST(DATE_FORMAT(`ts`, '%Y-%m-%d %H:00:00') AS DATETIME), `referrer_host`, `bytes` FROM `clean_log`
  UNION ALL SELECT 'status', CAST(`source` AS BINARY), CAST(DATE_FORMAT(`ts`, '%Y-%m-%d %H:00:00') AS DATETIME), CAST(`status` AS CHAR), `bytes` FROM `clean_log`
  UNION ALL SELECT 'user', CAST(`source` AS BINARY), CAST(DATE_FORMAT(`ts`, '%Y-%m-%d %H:00:00') AS DATETIME), `user`, `bytes` FROM `clean_log`
) AS `top_values`
GROUP BY `dimension`, `source_bytes`, `bucket`, IF(`value` IS NULL, x'00000000000000000000000000000000', UNHEX(MD5(`value`)));
--> statement-breakpoint
-- Per stream, one range from its first stored line to just past its last: the lines met so far count
-- as counted. A message still queued from inside that range (an old one redelivered) is then not
-- counted: upgrade with the consumers stopped and the queues drained, as the README says.
INSERT INTO `rollup_counted` (`stream_id`, `source`, `ranges`, `updated_at`)
SELECT LEFT(`event_id`, 8), CAST(MIN(`source`) AS BINARY), CONCAT(MIN(SUBSTRING(`event_id`, 9)),
  UNHEX(LPAD(HEX(CAST(CONV(HEX(MAX(SUBSTRING(`event_id`, 9))), 16, 10) AS UNSIGNED) + 1), 16, '0'))), NOW(3)
FROM (SELECT `event_id`, `source` FROM `clean_log` UNION ALL SELECT `event_id`, `source` FROM `rejected_log`) AS `met`
GROUP BY LEFT(`event_id`, 8);
