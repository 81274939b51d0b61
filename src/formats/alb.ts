/**
 * `alb`: AWS Application Load Balancer access logs,
 * `type time elb client:port target:port request_processing_time target_processing_time
 * response_processing_time elb_status_code target_status_code received_bytes sent_bytes "request"
 * "user_agent" ssl_cipher ssl_protocol target_group_arn "trace_id" "domain_name" …`.
 * AWS adds fields at the end from time to time, so any number of fields after the user agent is
 * accepted; the known ones are kept in `extra` under AWS's names. The request time is the sum of the
 * three processing times (null when one is -1: the request never reached a target).
 */
import type { ParsedHit } from '../domain/index.js';
import { parseIsoTime } from './iso-time.js';
import { reject, type FormatResult } from './reject.js';
import { splitRequest, type RequestParts } from './request-line.js';
import { addressWithoutPort, splitFields } from './tokens.js';

const TYPES = new Set(['http', 'https', 'h2', 'grpcs', 'ws', 'wss']);
// AWS's name of each field kept in `extra`; null for the fields that have a column of their own.
const EXTRA_NAMES = [
  'type',
  null,
  'elb',
  null,
  'target',
  'request_processing_time',
  'target_processing_time',
  'response_processing_time',
  null,
  'target_status_code',
  'received_bytes',
  null,
  null,
  null,
  'ssl_cipher',
  'ssl_protocol',
  'target_group_arn',
  'trace_id',
  'domain_name',
  'chosen_cert_arn',
  'matched_rule_priority',
  'request_creation_time',
  'actions_executed',
  'redirect_url',
  'error_reason',
  'target_port_list',
  'target_status_code_list',
  'classification',
  'classification_reason',
  'conn_trace_id',
];
const MIN_FIELDS = 14;

const parts: RequestParts = { method: null, target: null, httpVersion: null };

function seconds(value: string): number {
  return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
}

function statusOf(value: string): number {
  return /^\d{3}$/.test(value) ? Number(value) : -1;
}

/** Parses one ALB access-log line. Never throws. */
export function parseAlb(line: string): FormatResult {
  const sp = line.indexOf(' ');
  if (sp <= 0 || !TYPES.has(line.slice(0, sp))) {
    return reject('alb', 0, 'bad_request', 'expected a request type (http, https, h2, grpcs, ws, wss) first');
  }
  const f = splitFields(line);
  if (f === null || f.length < MIN_FIELDS) {
    return reject(
      'alb',
      sp + 1,
      'bad_request',
      `expected at least ${MIN_FIELDS} fields, with quoted request and user agent`,
    );
  }
  const [, timeText, , client, , rp, tp, sp2, elbStatus, targetStatus, , sentBytes, request, userAgent] =
    f as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
  const time = parseIsoTime(timeText);
  if (typeof time === 'string') return reject('alb', sp + 1, 'bad_time', time);
  const status = statusOf(elbStatus) >= 0 ? statusOf(elbStatus) : statusOf(targetStatus);
  if (status < 0)
    return reject(
      'alb',
      sp + 1,
      'bad_status',
      `bad elb_status_code ${JSON.stringify(elbStatus.slice(0, 10))}`,
    );
  const bytes = sentBytes === '-' ? 0 : /^\d{1,16}$/.test(sentBytes) ? Number(sentBytes) : -1;
  if (bytes < 0)
    return reject('alb', sp + 1, 'bad_size', `bad sent_bytes ${JSON.stringify(sentBytes.slice(0, 20))}`);

  const times = [seconds(rp), seconds(tp), seconds(sp2)];
  const requestTimeMs = times.every((t) => t >= 0)
    ? Math.round(times.reduce((a, b) => a + b, 0) * 1e6) / 1000
    : null;
  const extra: Record<string, string> = {};
  for (let i = 0; i < f.length; i++) {
    const name = i < EXTRA_NAMES.length ? EXTRA_NAMES[i] : `field_${i + 1}`;
    const value = f[i] as string;
    if (name && value !== '-' && value !== '') extra[name] = value;
  }
  splitRequest(request, parts);
  if (parts.method === null && request !== '') extra.request = request;
  const hit: ParsedHit = {
    format: 'alb',
    ip: addressWithoutPort(client),
    forwardedFor: null,
    session: null,
    user: null,
    time,
    method: parts.method,
    target: parts.target,
    httpVersion: parts.httpVersion,
    status,
    bytes,
    referrer: null,
    userAgent: userAgent === '-' || userAgent === '' ? null : userAgent,
    vhost: null,
    requestTimeMs,
    extra,
    damage: null,
  };
  return { ok: true, hit };
}
