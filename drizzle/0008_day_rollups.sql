CREATE TABLE `rollup_day` (
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
	CONSTRAINT `rollup_day_source_bucket_pk` PRIMARY KEY(`source`,`bucket`)
);
--> statement-breakpoint
CREATE TABLE `rollup_top_day` (
	`dimension` varchar(16) NOT NULL,
	`source` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`bucket` datetime NOT NULL,
	`value_key` binary(16) NOT NULL,
	`value` varchar(255),
	`requests` bigint unsigned NOT NULL,
	`bytes` bigint unsigned NOT NULL,
	CONSTRAINT `rollup_top_day_dimension_source_bucket_value_key_pk` PRIMARY KEY(`dimension`,`source`,`bucket`,`value_key`)
);
--> statement-breakpoint
CREATE INDEX `rollup_day_bucket` ON `rollup_day` (`bucket`);--> statement-breakpoint
CREATE INDEX `rollup_top_day_bucket` ON `rollup_top_day` (`dimension`,`bucket`);--> statement-breakpoint
-- The days of the hours already counted: their sums, and the marker 0x00 ("to be filled") for a
-- sketch, which setup replaces with the union of the day's hour sketches (rollup/visitor-backfill.ts).
INSERT INTO `rollup_day` (`source`, `bucket`, `requests`, `bytes`, `s2xx`, `s3xx`, `s4xx`, `s5xx`, `bots`, `humans`, `first_ts`, `last_ts`, `visitors`)
SELECT `source`, CAST(DATE(`bucket`) AS DATETIME), SUM(`requests`), SUM(`bytes`), SUM(`s2xx`), SUM(`s3xx`), SUM(`s4xx`), SUM(`s5xx`),
  SUM(`bots`), SUM(`humans`), MIN(`first_ts`), MAX(`last_ts`), IF(MAX(LENGTH(`visitors`)) > 0, x'00', x'')
FROM `rollup_hour` GROUP BY `source`, CAST(DATE(`bucket`) AS DATETIME);
--> statement-breakpoint
-- The top values of each day, summed from its hours ("other" rows included: their key is one value).
INSERT INTO `rollup_top_day` (`dimension`, `source`, `bucket`, `value_key`, `value`, `requests`, `bytes`)
SELECT `dimension`, `source`, CAST(DATE(`bucket`) AS DATETIME), `value_key`, MIN(`value`), SUM(`requests`), SUM(`bytes`)
FROM `rollup_top` GROUP BY `dimension`, `source`, CAST(DATE(`bucket`) AS DATETIME), `value_key`;
