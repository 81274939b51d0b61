-- Rollups (src/store/schema.ts, src/store/rollup/): new tables, nothing copied. setup then counts
-- the lines already stored into them (src/store/rollup/backfill.ts).
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