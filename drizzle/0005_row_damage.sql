-- From src/store/schema.ts. A nullable column added last: an instant change on MariaDB 10.3+ and
-- MySQL 8.0.12+, whatever the table holds (no copy of its rows).
ALTER TABLE `clean_log` ADD `damage` varchar(255);
