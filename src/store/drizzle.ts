/**
 * drizzle-orm's functions, loaded with require() from its CommonJS build. On Node 22 and 24, an
 * `import` of it costs every process about 1.5 s of CPU more than on Node 20: the ES module loader
 * reads the package scope of each of drizzle's modules again, and drizzle's package.json is 178 KB
 * (nodejs/node#58126, open). Its CommonJS build, loaded by require(), does not pay that.
 *
 * Every drizzle value in lograbbit comes from this file, so that only one of drizzle's two builds
 * ever runs (two would each have their own classes). Types may still be imported from
 * 'drizzle-orm' itself with `import type`: they are erased from the compiled code.
 */
import { createRequire } from 'node:module';
import type * as Core from 'drizzle-orm';
import type * as MySqlCore from 'drizzle-orm/mysql-core';
import type * as MySql2 from 'drizzle-orm/mysql2';
import type * as Migrator from 'drizzle-orm/mysql2/migrator';

const require = createRequire(import.meta.url);

export const { between, getTableColumns, getTableName, sql } = require('drizzle-orm') as typeof Core;
/** The table and column builders, for schema.ts. */
export const mysqlCore = require('drizzle-orm/mysql-core') as typeof MySqlCore;
export const { drizzle } = require('drizzle-orm/mysql2') as typeof MySql2;
export const { migrate } = require('drizzle-orm/mysql2/migrator') as typeof Migrator;
