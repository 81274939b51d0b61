-- Written by hand from src/store/schema.ts: drizzle-kit knows no partitioning. The three line tables
-- are partitioned by the UTC day of the line's own time (issue 15), so that `prune` drops whole days
-- at a cost that does not grow with the table. Each table starts with two partitions, p_untimed
-- (lines with no readable time: day 1000-01-01) and p_future (MAXVALUE, the catch-all); `setup` then
-- splits the catch-all into one partition per day (partitions.ts). Every ALTER below copies its
-- table once; the split copies the rows already stored once more.
-- In the subset MySQL 8.4 and MariaDB share: RANGE COLUMNS on DATE and DATETIME, the partition
-- column in the primary key, no foreign keys, and an expression default that reads another column
-- (MySQL 8.0.13+, MariaDB 10.2+), used once to fill `day` for the rows already stored.
CREATE TABLE `retention_horizon` (
	`id` tinyint unsigned NOT NULL,
	`lines_from` date NOT NULL,
	`received_from` datetime(3) NOT NULL,
	`rollups_from` date NOT NULL,
	`pruned_at` datetime(3) NOT NULL,
	CONSTRAINT `retention_horizon_id` PRIMARY KEY(`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
--> statement-breakpoint
ALTER TABLE `clean_log` DROP PRIMARY KEY, ADD CONSTRAINT `clean_log_event_id_ts` PRIMARY KEY (`event_id`, `ts`)
	PARTITION BY RANGE COLUMNS(`ts`) (
		PARTITION `p_untimed` VALUES LESS THAN ('1000-01-02'),
		PARTITION `p_future` VALUES LESS THAN (MAXVALUE));
--> statement-breakpoint
ALTER TABLE `raw_log`
	ADD `day` date NOT NULL DEFAULT (coalesce(cast(`ts` as date), '1000-01-01')) AFTER `ts`,
	DROP PRIMARY KEY, ADD CONSTRAINT `raw_log_event_id_day` PRIMARY KEY (`event_id`, `day`)
	PARTITION BY RANGE COLUMNS(`day`) (
		PARTITION `p_untimed` VALUES LESS THAN ('1000-01-02'),
		PARTITION `p_future` VALUES LESS THAN (MAXVALUE));
--> statement-breakpoint
ALTER TABLE `raw_log` ALTER `day` DROP DEFAULT;
--> statement-breakpoint
-- A rejected row kept no time of its own: the rows already stored count as untimed.
ALTER TABLE `rejected_log`
	ADD `day` date NOT NULL DEFAULT '1000-01-01' AFTER `received_at`,
	DROP PRIMARY KEY, ADD CONSTRAINT `rejected_log_event_id_day` PRIMARY KEY (`event_id`, `day`)
	PARTITION BY RANGE COLUMNS(`day`) (
		PARTITION `p_untimed` VALUES LESS THAN ('1000-01-02'),
		PARTITION `p_future` VALUES LESS THAN (MAXVALUE));
--> statement-breakpoint
ALTER TABLE `rejected_log` ALTER `day` DROP DEFAULT;
