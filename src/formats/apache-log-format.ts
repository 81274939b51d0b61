/**
 * Apache `LogFormat` strings (`%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"`) compiled to
 * a custom format. Status conditions (`%!200,304{…}i`) and `<`/`>` modifiers are accepted and
 * ignored; `\"` is a quote, as in httpd.conf. Directives below fill columns; any other is kept in
 * `extra` under the directive as written (`%{X-Request-Id}i`, `%L`).
 */
import { buildFormat, refuse, type CompileResult, type FieldRole, type Segment } from './custom-format.js';

const SIMPLE: Readonly<Record<string, FieldRole>> = {
  h: 'ip',
  a: 'ip',
  l: 'ident',
  u: 'user',
  r: 'request',
  m: 'method',
  U: 'path',
  q: 'query',
  H: 'protocol',
  s: 'status',
  b: 'bytes',
  B: 'bytes',
  O: 'bytes',
  D: 'requestTimeUs',
  T: 'requestTimeSec',
  v: 'vhost',
  V: 'vhost',
};

const HEADERS: Readonly<Record<string, FieldRole>> = {
  referer: 'referrer',
  'user-agent': 'userAgent',
  'x-forwarded-for': 'forwardedFor',
  host: 'vhost',
};

function roleOf(letter: string, arg: string | null): FieldRole {
  if (arg === null) return SIMPLE[letter] ?? 'extra';
  const a = arg.toLowerCase();
  if (letter === 'i') return HEADERS[a] ?? 'extra';
  if (letter === 'T')
    return a === 'ms'
      ? 'requestTimeMs'
      : a === 'us'
        ? 'requestTimeUs'
        : a === 's'
          ? 'requestTimeSec'
          : 'extra';
  if (letter === 't') {
    if (a === 'sec') return 'timeEpoch';
    if (a === 'msec') return 'timeEpochMs';
    if (arg === '%d/%b/%Y:%H:%M:%S %z') return 'timeClf';
    if (arg === '%Y-%m-%dT%H:%M:%S%z') return 'timeIso';
  }
  if (letter === 'a' && a === 'c') return 'extra';
  return 'extra';
}

/** Compiles an Apache `LogFormat` string; returns the reason when it cannot be used. */
export function compileApacheFormat(spec: string): CompileResult {
  const text = spec.replaceAll('\\"', '"').replaceAll('\\t', '\t');
  const pieces: Segment[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c !== '%') {
      literal += c;
      i++;
      continue;
    }
    if (text[i + 1] === '%') {
      literal += '%';
      i += 2;
      continue;
    }
    const m = /^%(?:!?\d{3}(?:,\d{3})*)?[<>]?(?:\{([^}]*)\})?([A-Za-z])/.exec(text.slice(i));
    if (!m) return refuse(`bad directive at ${i}: ${JSON.stringify(text.slice(i, i + 12))}`);
    const arg = m[1] ?? null;
    const letter = m[2] as string;
    i += m[0].length;
    const role = roleOf(letter, arg);
    // %t is the CLF time with its brackets: they are the literal around the field.
    if (letter === 't' && arg === null) {
      pieces.push({ literal: `${literal}[` }, { role: 'timeClf', name: '%t', quoted: false });
      literal = ']';
      continue;
    }
    pieces.push(
      { literal },
      { role, name: arg === null ? `%${letter}` : `%{${arg}}${letter}`, quoted: false },
    );
    literal = '';
  }
  pieces.push({ literal });
  return buildFormat('apache', spec, pieces);
}
