/**
 * docker-compose.yml, .env.example, the Dockerfile and .dockerignore agree with each other and with
 * the app: the services and images, loopback-only ports, health-gated start-up, no secret in the
 * compose file, every variable it reads documented, and an image that runs the CLI as non-root.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { environmentSchema, loadConfig } from '../../../src/config/index.js';

const root = new URL('../../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | { published?: string | number; target?: number; host_ip?: string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: {
    test?: string | string[];
    interval?: string;
    timeout?: string;
    retries?: number;
    start_period?: string;
  };
  restart?: string;
  volumes?: string[];
  profiles?: string[];
}

const composeText = read('docker-compose.yml');
// Merge keys (`<<: *app-environment`) as compose reads them.
const compose = parse(composeText, { merge: true }) as {
  version?: unknown;
  services: Record<string, Service>;
};
const services = compose.services;
const service = (name: string): Service => {
  const found = services[name];
  assert.ok(found, `no service ${name}`);
  return found;
};

/** `${NAME}`, `${NAME:-default}`, `${NAME:?message}`…, but not `$${NAME}` (escaped for the container). */
const VARIABLE = /(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}/g;

function composeVariables(): Map<string, string[]> {
  const uses = new Map<string, string[]>();
  for (const match of composeText.matchAll(VARIABLE)) {
    const name = match[1] as string;
    uses.set(name, [...(uses.get(name) ?? []), match[2] ?? '']);
  }
  return uses;
}

/** Resolves `${NAME:-default}` to its default, as compose does when NAME is unset. */
function withDefaults(text: string): string {
  return text.replace(
    VARIABLE,
    (whole: string, _name: string, operator: string | undefined, value: string | undefined) =>
      operator === ':-' || operator === '-' ? (value ?? '') : whole,
  );
}

function envExample(): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of read('.env.example').split('\n')) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) entries.set(match[1] as string, match[2] as string);
  }
  return entries;
}

function environmentOf(s: Service): Record<string, string> {
  const env = s.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((item): [string, string] => [item.split('=')[0] ?? '', item.split('=').slice(1).join('=')]),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, String(value)]));
}

function dependencies(s: Service): Record<string, string | undefined> {
  const deps = s.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((name) => [name, undefined]));
  return Object.fromEntries(Object.entries(deps).map(([name, dep]) => [name, dep.condition]));
}

interface Published {
  hostIp: string | null;
  host: number;
  container: number;
}

function publishedPorts(s: Service): Published[] {
  return (s.ports ?? []).map((port) => {
    if (typeof port === 'object') {
      return { hostIp: port.host_ip ?? null, host: Number(port.published), container: Number(port.target) };
    }
    const parts = withDefaults(port).split(':');
    const container = Number(parts.pop());
    const host = Number(parts.pop());
    return { hostIp: parts.length > 0 ? parts.join(':') : null, host, container };
  });
}

const APP_SERVICES = ['consumer', 'producer'];
const BACKING_SERVICES = ['rabbitmq', 'mysql'];

describe('docker-compose.yml', () => {
  test('has the seven services by default and no obsolete version key', () => {
    const byDefault = Object.entries(services).filter(([, s]) => s.profiles === undefined);
    assert.deepEqual(byDefault.map(([name]) => name).sort(), [
      'consumer',
      'follow-nginx',
      'mysql',
      'nginx',
      'phpmyadmin',
      'producer',
      'rabbitmq',
    ]);
    assert.equal(compose.version, undefined);
  });

  test('the cluster profile: 3 RabbitMQ nodes by peer discovery, a MariaDB primary and replica, the app given the lists', () => {
    const cluster = Object.entries(services).filter(([, s]) => s.profiles?.includes('cluster'));
    assert.deepEqual(cluster.map(([name]) => name).sort(), [
      'cluster-consumer',
      'cluster-dashboard',
      'db-primary',
      'db-replica',
      'rabbit1',
      'rabbit2',
      'rabbit3',
    ]);
    const conf = read('deploy/cluster/rabbitmq-cluster.conf');
    assert.match(conf, /^cluster_formation\.peer_discovery_backend = classic_config$/m);
    for (const node of ['rabbit1', 'rabbit2', 'rabbit3']) {
      const rabbit = service(node);
      assert.equal(rabbit.image, 'rabbitmq:4-management');
      assert.ok(
        (rabbit.volumes ?? []).some((volume) => volume.startsWith('./deploy/cluster/rabbitmq-cluster.conf:')),
      );
      assert.match(conf, new RegExp(`= rabbit@${node}$`, 'm'));
      const env = environmentOf(rabbit);
      // The same cookie for the node and for the CLI of its health check.
      assert.equal(env.RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS, env.RABBITMQ_CTL_ERL_ARGS);
      assert.match(env.RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS ?? '', /^-setcookie \$\{RABBIT_ERLANG_COOKIE:\?/);
      assert.ok(rabbit.healthcheck);
    }
    assert.ok((service('db-primary').command as string[]).includes('--log-bin'));
    assert.equal(environmentOf(service('db-replica')).MARIADB_MASTER_HOST, 'db-primary');
    for (const name of ['cluster-consumer', 'cluster-dashboard']) {
      const env = environmentOf(service(name));
      // Each `${NAME…}` as compose fills it from a .env copied from .env.example.
      const filled = Object.fromEntries(
        Object.entries(env).map(([key, value]) => [
          key,
          value.replace(VARIABLE, (_whole: string, variable: string) => envExample().get(variable) ?? ''),
        ]),
      );
      const config = loadConfig(filled);
      assert.deepEqual(config.rabbit.nodes, ['rabbit1:5672', 'rabbit2:5672', 'rabbit3:5672'], name);
      assert.equal(config.db.address, `db-primary:3306/${envExample().get('DB_NAME')}`, name);
      assert.equal(config.dbRead?.address, `db-replica:3306/${envExample().get('DB_NAME')}`, name);
    }
    assert.deepEqual(dependencies(service('cluster-consumer')), {
      rabbit1: 'service_healthy',
      rabbit2: 'service_healthy',
      rabbit3: 'service_healthy',
      'db-primary': 'service_healthy',
    });
  });

  test('uses supported lines: RabbitMQ 4 with its management UI, MySQL 8.4, phpMyAdmin 5, nginx stable', () => {
    // 3.13 left community support in 2024; the `4` tag follows the latest 4.x minor, the only one
    // the RabbitMQ team supports for the community.
    assert.equal(service('rabbitmq').image, 'rabbitmq:4-management');
    assert.equal(service('nginx').image, 'nginx:stable-alpine');
    assert.equal(service('mysql').image, 'mysql:8.4');
    assert.match(service('phpmyadmin').image ?? '', /^phpmyadmin(\/phpmyadmin)?:5(\.|$)/);
    assert.equal(environmentOf(service('phpmyadmin')).PMA_HOST, 'mysql');
  });

  test("starts MySQL with local_infile on, for the consumer's LOAD DATA writer", () => {
    assert.ok((service('mysql').command as string[] | undefined)?.includes('--local-infile=1'));
  });

  test('publishes AMQP 5672, the UI 15672, MySQL 3306 and phpMyAdmin 8080, on 127.0.0.1 only', () => {
    const all = Object.values(services).flatMap(publishedPorts);
    const byContainer = (name: string, container: number) =>
      publishedPorts(service(name)).find((p) => p.container === container);
    assert.equal(byContainer('rabbitmq', 5672)?.host, 5672);
    assert.equal(byContainer('rabbitmq', 15672)?.host, 15672);
    assert.equal(byContainer('mysql', 3306)?.host, 3306);
    assert.equal(byContainer('phpmyadmin', 80)?.host, 8080);
    for (const port of all)
      assert.equal(port.hostIp, '127.0.0.1', `port ${port.host} is open to the network`);
    for (const name of APP_SERVICES) assert.equal(service(name).ports, undefined, `${name} needs no port`);
  });

  test('the broker and the database have complete health checks', () => {
    for (const name of BACKING_SERVICES) {
      const check = service(name).healthcheck;
      assert.ok(check?.test, `${name} has no health check`);
      for (const key of ['interval', 'timeout', 'retries', 'start_period'] as const) {
        assert.ok(check[key] !== undefined, `${name} health check has no ${key}`);
      }
    }
    assert.match(String(service('rabbitmq').healthcheck?.test), /rabbitmq-diagnostics -q ping/);
    const mysqlCheck = String(service('mysql').healthcheck?.test);
    assert.match(mysqlCheck, /mysqladmin ping -h 127\.0\.0\.1 -u root/);
    // A single `$` would be replaced by compose (with an empty value) before the container sees it.
    assert.match(mysqlCheck, /\$\$MYSQL_ROOT_PASSWORD/);
  });

  test('every service waits for the broker or database it uses to be healthy', () => {
    let checked = 0;
    for (const [name, s] of Object.entries(services)) {
      for (const [dependency, condition] of Object.entries(dependencies(s))) {
        if (!BACKING_SERVICES.includes(dependency)) continue;
        assert.ok(service(dependency).healthcheck, `${dependency} has no health check`);
        assert.equal(condition, 'service_healthy', `${name} → ${dependency}`);
        checked++;
      }
    }
    assert.deepEqual(dependencies(service('consumer')), {
      rabbitmq: 'service_healthy',
      mysql: 'service_healthy',
    });
    assert.equal(dependencies(service('producer')).rabbitmq, 'service_healthy');
    assert.equal(dependencies(service('phpmyadmin')).mysql, 'service_healthy');
    assert.ok(checked >= 4);
  });

  test('the nginx demo: lograbbit follows the log nginx writes, in a shared volume, read-only', () => {
    const follower = service('follow-nginx');
    const command = follower.command as string[] | undefined;
    assert.deepEqual(command?.slice(0, 2), ['run', '/var/log/nginx/access.log']);
    // Its own source name: the producer's samples/access.log is `access.log` too.
    const source = command?.indexOf('--source') ?? -1;
    assert.ok(source > 0 && command?.[source + 1] !== 'access.log', 'the nginx demo names its source');
    assert.ok((follower.volumes ?? []).includes('nginx-logs:/var/log/nginx:ro'));
    assert.ok((service('nginx').volumes ?? []).includes('nginx-logs:/var/log/nginx'));
    assert.equal(follower.image, service('consumer').image);
  });

  test('the app runs the consume and produce subcommands from one image', () => {
    const consumer = service('consumer');
    const producer = service('producer');
    assert.deepEqual(consumer.command, ['consume']);
    assert.deepEqual(producer.command, ['produce', '/app/samples/access.log']);
    assert.ok(consumer.build && producer.build, 'both are built from the Dockerfile');
    assert.equal(consumer.image, producer.image);
    assert.equal(consumer.restart, 'unless-stopped');
    assert.equal(producer.restart, 'no');
    assert.equal(dependencies(producer).consumer, 'service_started');
  });

  test('the app containers reach the services by name, with the app accounts and never the root password', () => {
    for (const name of APP_SERVICES) {
      const env = environmentOf(service(name));
      assert.equal(env.RABBIT_HOST, 'rabbitmq');
      assert.equal(env.DB_HOST, 'mysql');
      assert.equal(env.RABBIT_PORT, '5672');
      assert.equal(env.DB_PORT, '3306');
      for (const key of [
        'RABBIT_USER',
        'RABBIT_PASSWORD',
        'RABBIT_VHOST',
        'DB_NAME',
        'DB_USER',
        'DB_PASSWORD',
      ]) {
        assert.match(env[key] ?? '', new RegExp(`^\\$\\{${key}:\\?`), `${name} ${key}`);
      }
      assert.ok(!JSON.stringify(env).includes('ROOT'), `${name} gets the root password`);
    }
    const mysql = environmentOf(service('mysql'));
    assert.match(mysql.MYSQL_USER ?? '', /^\$\{DB_USER:\?/);
    assert.match(mysql.MYSQL_DATABASE ?? '', /^\$\{DB_NAME:\?/);
    const rabbit = environmentOf(service('rabbitmq'));
    assert.match(rabbit.RABBITMQ_DEFAULT_VHOST ?? '', /^\$\{RABBIT_VHOST:\?/);
  });

  test('no secret is written in the compose file: credentials come from .env, required', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [key, value] of Object.entries(environmentOf(s))) {
        if (!/PASS|SECRET|TOKEN|_USER$|USER$/.test(key)) continue;
        assert.match(value, /^\$\{[A-Z_]+:\?[^}]+\}$/, `${name} ${key} must be \${VAR:?message}`);
      }
    }
    for (const literal of envExample().values()) {
      if (/change-me/.test(literal))
        assert.ok(!composeText.includes(literal), `${literal} is in the compose file`);
    }
    assert.ok(!/guest/.test(composeText));
  });

  test('every variable it reads is in .env.example, and every docker one there is read', () => {
    const example = envExample();
    const used = composeVariables();
    assert.ok(used.size > 0);
    for (const name of used.keys()) assert.ok(example.has(name), `${name} is not in .env.example`);
    // RABBIT_HOST and DB_HOST are for the app outside compose: inside, the service names win.
    for (const name of example.keys()) {
      if (name === 'RABBIT_HOST' || name === 'DB_HOST') continue;
      assert.ok(used.has(name), `${name} in .env.example is not used by docker-compose.yml`);
    }
    for (const name of [
      'RABBIT_USER',
      'RABBIT_PASSWORD',
      'RABBIT_VHOST',
      'DB_NAME',
      'DB_USER',
      'DB_PASSWORD',
      'DB_ROOT_PASSWORD',
    ]) {
      assert.ok(
        used.get(name)?.every((operator) => operator === ':?'),
        `${name} must fail clearly when unset (\${${name}:?…})`,
      );
    }
  });
});

/** What only the containers read: the database's root and replication accounts, RabbitMQ's cookie. */
const CONTAINER_ONLY = new Set([
  'DB_ROOT_PASSWORD',
  'DB_REPLICATION_USER',
  'DB_REPLICATION_PASSWORD',
  'RABBIT_ERLANG_COOKIE',
]);

describe('.env.example', () => {
  const example = envExample();

  test('has the compose credentials and the app connection settings', () => {
    for (const name of [
      'RABBIT_USER',
      'RABBIT_PASSWORD',
      'RABBIT_VHOST',
      'RABBIT_HOST',
      'RABBIT_PORT',
      'DB_NAME',
      'DB_USER',
      'DB_PASSWORD',
      'DB_ROOT_PASSWORD',
      'DB_HOST',
      'DB_PORT',
      'LOG_LEVEL',
    ]) {
      assert.ok(example.get(name), `${name} is missing or empty`);
    }
    assert.equal(example.get('RABBIT_HOST'), '127.0.0.1');
    assert.equal(example.get('DB_HOST'), '127.0.0.1');
    assert.notEqual(example.get('DB_USER'), 'root', 'the app must not use the MySQL root account');
  });

  test('is valid for the app: every app variable passes its schema (DB_ROOT_PASSWORD is the container’s)', () => {
    const appVariables = Object.fromEntries([...example].filter(([name]) => !CONTAINER_ONLY.has(name)));
    const known = new Set(Object.keys(environmentSchema.shape));
    for (const name of Object.keys(appVariables)) assert.ok(known.has(name), `the app does not read ${name}`);
    const result = environmentSchema.safeParse(appVariables);
    assert.ok(result.success, result.success ? '' : result.error.message);
  });

  test('says that a run without Docker needs no .env', () => {
    assert.match(read('.env.example'), /Without Docker:\s+you need no \.env/);
  });
});

describe('Dockerfile and .dockerignore', () => {
  const dockerfile = read('Dockerfile');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const args = new Map(
    instructions.flatMap((line) => {
      const match = /^ARG ([A-Z_]+)=(\S+)$/.exec(line);
      return match ? [[match[1] as string, match[2] as string] as const] : [];
    }),
  );
  const resolve = (text: string): string =>
    text.replace(/\$\{([A-Z_]+)\}/g, (_, name: string) => args.get(name) ?? '');
  const stages = instructions
    .join('\n')
    .split(/^FROM /m)
    .slice(1);
  const final = stages.at(-1) ?? '';

  test('builds on Node 24, the LTS it ships, in stages', () => {
    const bases = instructions
      .filter((line) => line.startsWith('FROM '))
      .map((line) => resolve(line.split(/\s+/)[1] ?? ''));
    assert.ok(bases.length >= 2, 'multi-stage');
    for (const base of bases) {
      const match = /^node:(\d+)/.exec(base);
      assert.ok(match && Number(match[1]) === 24, `base image ${base}`);
    }
    assert.match(dockerfile, /npx tsc -p tsconfig\.build\.json/);
    assert.match(dockerfile, /npm ci --omit=dev/);
  });

  test('the final image runs the compiled CLI as a non-root user', () => {
    const users = final.split('\n').filter((line) => line.startsWith('USER '));
    assert.ok(users.length > 0, 'no USER in the final stage');
    assert.ok(!/^USER (root|0)(:|$)/.test(users.at(-1) ?? ''), 'runs as root');
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(final);
    assert.ok(entrypoint, 'no exec-form ENTRYPOINT');
    // Node's own flags between: launchers.test.ts checks them.
    const command = JSON.parse(entrypoint[1] as string) as string[];
    assert.equal(command[0], 'node');
    assert.equal(command.at(-1), 'dist/cli/main.js');
    assert.ok(
      existsSync(new URL('src/cli/main.ts', root)),
      'dist/cli/main.js is compiled from src/cli/main.ts',
    );
  });

  test('the final image has the migrations, the sample log, package.json and the compiled code', () => {
    for (const what of [
      /^COPY (--\S+ )*drizzle /m,
      /^COPY (--\S+ )*samples /m,
      /^COPY (--\S+ )*package\.json /m,
      /^COPY --from=\S+ \/app\/dist /m,
      // tsc does not copy the dashboard's static files; without them the compiled dashboard is blank.
      /^COPY --from=\S+ \/app\/src\/dashboard\/static \.\/dist\/dashboard\/static$/m,
    ]) {
      assert.match(final, what);
    }
  });

  test('.dockerignore sends only what the Dockerfile copies: no node_modules, .git, .env, dist', () => {
    const patterns = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    assert.equal(patterns[0], '*', 'an allow-list starts by excluding everything');
    const allowed = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1).replace(/\/$/, ''));
    for (const secret of ['node_modules', '.git', '.env', 'dist', 'test-artifacts']) {
      assert.ok(!allowed.includes(secret), `${secret} is sent to the builder`);
    }
    assert.ok(patterns.includes('**/.env'));
    const copied = instructions
      .filter((line) => line.startsWith('COPY ') && !line.includes('--from='))
      .flatMap((line) =>
        line
          .split(/\s+/)
          .slice(1, -1)
          .filter((token) => !token.startsWith('--')),
      );
    for (const source of copied)
      assert.ok(allowed.includes(source.replace(/\/$/, '')), `COPY ${source} is excluded by .dockerignore`);
  });
});
