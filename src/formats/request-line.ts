/**
 * The request line of an access log, `METHOD target HTTP/x.y`, split into its parts.
 *
 * Anything else a server logs in its place (a TLS ClientHello written as `\x16\x03…`, `-`, an empty
 * string, a bare word) is not an HTTP request: its parts are null and the caller keeps the raw text.
 */

/** The parts of a request line; all null when the line is not an HTTP request. */
export interface RequestParts {
  method: string | null;
  target: string | null;
  httpVersion: string | null;
}

// RFC 9110 tchar: the characters a method (a token) may hold.
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") {
  TCHAR[c.charCodeAt(0)] = 1;
}

function isToken(s: string, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) {
    if (TCHAR[s.charCodeAt(i)] !== 1) return false;
  }
  return true;
}

/** True for `HTTP/1.1`, `HTTP/2.0`, `HTTP/2`, `HTTP/3`. */
function isHttpVersion(s: string, start: number): boolean {
  if (!s.startsWith('HTTP/', start)) return false;
  let i = start + 5;
  let digits = 0;
  let dots = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 46 && digits > 0 && dots === 0) {
      dots++;
      digits = 0;
    } else return false;
  }
  return digits > 0;
}

/**
 * Splits `request` into `out`. A target may hold spaces (some servers log unencoded ones): it is
 * everything between the method and the version. `GET /` without a version is HTTP/0.9 style.
 * Returns false, with null parts, when the text is not an HTTP request line.
 */
export function splitRequest(request: string, out: RequestParts): boolean {
  const sp1 = request.indexOf(' ');
  const sp2 = request.lastIndexOf(' ');
  if (sp1 > 0 && isToken(request, 0, sp1)) {
    if (sp2 === sp1 && sp1 + 1 < request.length) {
      out.method = request.slice(0, sp1);
      out.target = request.slice(sp1 + 1);
      out.httpVersion = null;
      return true;
    }
    if (sp2 > sp1 + 1 && isHttpVersion(request, sp2 + 1)) {
      out.method = request.slice(0, sp1);
      out.target = request.slice(sp1 + 1, sp2);
      out.httpVersion = request.slice(sp2 + 1);
      return true;
    }
  }
  out.method = null;
  out.target = null;
  out.httpVersion = null;
  return false;
}
