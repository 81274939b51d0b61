/**
 * nginx `log_format` strings (`$remote_addr - $remote_user [$time_local] "$request" …`) compiled to
 * a custom format. Variables are `$name` or `${name}`; those below fill columns, any other one is
 * kept in `extra` under its name (without the `$`).
 */
import { buildFormat, refuse, type CompileResult, type FieldRole, type Segment } from './custom-format.js';

const ROLES: Readonly<Record<string, FieldRole>> = {
  remote_addr: 'ip',
  remote_user: 'user',
  time_local: 'timeClf',
  time_iso8601: 'timeIso',
  msec: 'timeEpoch',
  request: 'request',
  request_method: 'method',
  request_uri: 'target',
  uri: 'path',
  document_uri: 'path',
  args: 'query',
  query_string: 'query',
  server_protocol: 'protocol',
  status: 'status',
  body_bytes_sent: 'bytes',
  bytes_sent: 'bytes',
  http_referer: 'referrer',
  http_user_agent: 'userAgent',
  http_x_forwarded_for: 'forwardedFor',
  request_time: 'requestTimeSec',
  upstream_response_time: 'upstreamTimeSec',
  host: 'vhost',
  http_host: 'vhost',
  server_name: 'vhost',
};

/** Compiles an nginx `log_format` string; returns the reason when it cannot be used. */
export function compileNginxFormat(spec: string): CompileResult {
  const pieces: Segment[] = [];
  let literal = '';
  let i = 0;
  while (i < spec.length) {
    const c = spec[i] as string;
    if (c !== '$') {
      literal += c;
      i++;
      continue;
    }
    let name: string;
    if (spec[i + 1] === '{') {
      const close = spec.indexOf('}', i + 2);
      if (close === -1) return refuse(`unterminated \${ at ${i}`);
      name = spec.slice(i + 2, close);
      i = close + 1;
    } else {
      const m = /^[A-Za-z0-9_]+/.exec(spec.slice(i + 1));
      if (!m) return refuse(`"$" at ${i} is not followed by a variable name`);
      name = m[0];
      i += 1 + name.length;
    }
    if (!/^[A-Za-z0-9_]+$/.test(name)) return refuse(`bad variable name ${JSON.stringify(name)}`);
    // `$is_args$args` is `?` and the query, or nothing: one query field that may start with `?`.
    if (name === 'is_args' && spec.startsWith('$args', i)) {
      name = 'args';
      i += '$args'.length;
    }
    pieces.push({ literal }, { role: ROLES[name.toLowerCase()] ?? 'extra', name, quoted: false });
    literal = '';
  }
  pieces.push({ literal });
  return buildFormat('nginx', spec, pieces);
}
