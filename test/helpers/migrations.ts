/**
 * A database at an earlier migration, for tests of what a later one does to rows already stored:
 * the migrations copied with their journal cut after the given one, applied by drizzle's migrator
 * to a database of the test's own (named after the test's database); the product's own start
 * (openStore with `setup`) then applies the rest.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { drizzle, migrate } from '../../src/store/drizzle.js';
import { DB_HOST } from './services.js';
import type { TestServices } from './services.js';

export interface OldDatabase {
  /** Its name, beside the test's database. */
  readonly database: string;
  /** A connection to it (UTC, DATETIMEs as strings). */
  readonly sql: mysql.Connection;
  /** Closes the connection and drops the database. */
  readonly drop: () => Promise<void>;
}

/** A new database `<test database>_at_<tag prefix>` migrated up to the migration `upTo` names (`0003`). */
export async function databaseAtMigration(services: TestServices, upTo: string): Promise<OldDatabase> {
  const database = `${services.database}_at_${upTo}`;
  const folder = await mkdtemp(join(os.tmpdir(), 'lograbbit-migrations-'));
  const admin = await mysql.createConnection({ host: DB_HOST, user: 'root', timezone: 'Z' });
  let sql: mysql.Connection | undefined;
  const drop = async (): Promise<void> => {
    await sql?.end();
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.end();
  };
  try {
    await cp(fileURLToPath(new URL('../../drizzle', import.meta.url)), folder, { recursive: true });
    const journalPath = join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(await readFile(journalPath, 'utf8')) as { entries: Array<{ tag: string }> };
    const last = journal.entries.findIndex((entry) => entry.tag.startsWith(`${upTo}_`));
    if (last < 0) throw new Error(`migration ${upTo} is not in the journal`);
    journal.entries = journal.entries.slice(0, last + 1);
    await writeFile(journalPath, JSON.stringify(journal));
    await admin.query(`CREATE DATABASE \`${database}\``);
    sql = await mysql.createConnection({
      host: DB_HOST,
      user: 'root',
      database,
      timezone: 'Z',
      dateStrings: true,
    });
    await migrate(drizzle(sql), { migrationsFolder: folder });
    return { database, sql, drop };
  } catch (error) {
    await drop();
    throw error;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
