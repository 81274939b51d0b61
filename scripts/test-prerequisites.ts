/**
 * `npm test`'s first step: the system tools the suite drives besides RabbitMQ and MariaDB, checked
 * before ten minutes of tests rather than as failures at their end. Prints what is missing and the
 * one command that installs it (Debian's and Ubuntu's package names), and exits 1.
 */
import { existsSync } from 'node:fs';
import { which } from '../test/helpers/which.js';

const TOOLS = [
  { name: 'rsync', package: 'rsync', for: "the Galera cluster test's state transfer between nodes" },
  {
    name: process.env.TEST_GALERA_PROVIDER ?? '/usr/lib/galera/libgalera_smm.so',
    package: 'galera-4',
    for: 'the Galera cluster test (or set TEST_GALERA_PROVIDER)',
    // A library mariadbd loads, not a command.
    file: true,
  },
  { name: 'nginx', package: 'nginx-light', for: 'the follow test against a real web server' },
  { name: 'curl', package: 'curl', for: 'requests in the nginx test' },
  { name: 'ab', package: 'apache2-utils', for: 'a burst of requests in the nginx test' },
  {
    // On PATH, as the dashboard test looks for it (test/e2e/dashboard.test.ts).
    name: process.env.CHROMIUM_PATH ?? 'chromium',
    package: 'chromium fonts-dejavu-core',
    for: 'the dashboard test (or set CHROMIUM_PATH)',
  },
  { name: 'rabbitmqctl', package: 'rabbitmq-server', for: "a vhost of each test's own" },
] as const satisfies ReadonlyArray<{ name: string; package: string; for: string; file?: boolean }>;

const missing = TOOLS.filter((tool) =>
  'file' in tool ? !existsSync(tool.name) : which(tool.name) === undefined,
);
if (missing.length > 0) {
  process.stderr.write(
    [
      'npm test drives these tools besides RabbitMQ and MariaDB, and they are not here:',
      ...missing.map((tool) => `  ${tool.name}: ${tool.for}`),
      `Install them with: sudo apt-get install -y --no-install-recommends ${missing.map((tool) => tool.package).join(' ')}`,
      '',
    ].join('\n'),
  );
  process.exitCode = 1;
}
