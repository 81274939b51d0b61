/**
 * The dashboard's access check, for when it listens beyond the loopback: a token from configuration
 * (`DASHBOARD_TOKEN`), given as `Authorization: Bearer <token>` or as a cookie. Opening
 * `/?token=<token>` once sets the cookie (HttpOnly, SameSite=Strict) and redirects to a URL without
 * it, so the token does not stay in the address bar or the history. `/healthz` needs no token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const TOKEN_COOKIE = 'lograbbit_token';
const OPEN_PATHS = new Set(['/healthz']);

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** The value of cookie `name`, or undefined when absent or not valid percent-encoding. */
function cookieOf(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(rest.join('='));
    } catch {
      // The client sent it, not this server: a value that cannot be decoded is a wrong token (401).
      return undefined;
    }
  }
  return undefined;
}

/** Requires `token` on every route but /healthz. */
export function requireToken(app: FastifyInstance, token: string): void {
  const expected = digest(token);
  const matches = (given: string | undefined): boolean =>
    given !== undefined && timingSafeEqual(digest(given), expected);

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (OPEN_PATHS.has(path)) return;
    const authorization = request.headers.authorization;
    const bearer = authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
    if (matches(bearer) || matches(cookieOf(request, TOKEN_COOKIE))) return;
    const query = request.query as Record<string, unknown>;
    const fromQuery = typeof query.token === 'string' ? query.token : undefined;
    if (path === '/' && matches(fromQuery)) {
      return reply
        .header(
          'set-cookie',
          `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`,
        )
        .redirect('/', 303);
    }
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="lograbbit"')
      .send({ error: 'a token is needed: open /?token=<DASHBOARD_TOKEN>, or send Authorization: Bearer' });
  });
}
