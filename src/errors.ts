/**
 * The error catalogue. Each error has a stable `code` (never reused), a `cause` when it wraps another
 * error, and a class that says what to do with it: a `UsageError` or an `InputError` ends the command
 * with exit code 2,
 * a `ServiceUnavailableError` with exit code 3, anything else with 1. A bad log line is not an error:
 * it is data (see `rejected_log`).
 */

/** Exit codes that scripts can rely on (see README, "Exit codes"). */
export const EXIT_CODES = Object.freeze({
  ok: 0,
  failure: 1,
  usage: 2,
  unavailable: 3,
  deadLettered: 4,
  interrupted: 130,
});

export type ErrorCode =
  | 'LR_CONFIG'
  | 'LR_USAGE'
  | 'LR_INPUT_UNREADABLE'
  | 'LR_BROKER_UNAVAILABLE'
  | 'LR_BROKER_REFUSED'
  | 'LR_DATABASE_UNAVAILABLE'
  | 'LR_DATABASE_REFUSED'
  | 'LR_MESSAGE_UNDECODABLE'
  | 'LR_MESSAGE_UNROUTABLE'
  | 'LR_MESSAGE_UNENCODABLE'
  | 'LR_MESSAGE_UNPROCESSABLE'
  | 'LR_ROW_REFUSED'
  | 'LR_MESSAGES_DEAD';

export class LograbbitError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options?.exitCode ?? EXIT_CODES.failure;
  }
}

/** A bad option, variable or argument: the user must change the command. Exit code 2. */
export class UsageError extends LograbbitError {
  constructor(code: 'LR_CONFIG' | 'LR_USAGE', message: string) {
    super(code, message, { exitCode: EXIT_CODES.usage });
  }
}

/**
 * An input named on the command line (a file, a directory, a pattern to follow) that cannot be used
 * as given. Exit code 2, as for a usage error, but raised by the sources, which know files, not
 * options: the command line decides how the user hears of it.
 */
export class InputError extends LograbbitError {
  constructor(message: string) {
    super('LR_INPUT_UNREADABLE', message, { exitCode: EXIT_CODES.usage });
  }
}

/** RabbitMQ or the database cannot be reached (or refuses our credentials) at start-up. Exit code 3. */
export class ServiceUnavailableError extends LograbbitError {
  constructor(
    code: 'LR_BROKER_UNAVAILABLE' | 'LR_BROKER_REFUSED' | 'LR_DATABASE_UNAVAILABLE' | 'LR_DATABASE_REFUSED',
    message: string,
    cause?: unknown,
  ) {
    super(code, message, { cause, exitCode: EXIT_CODES.unavailable });
  }
}

/**
 * A message that can never be processed, however often it is retried: it is dead-lettered with this
 * error's message as the reason instead of being redelivered forever.
 */
export class PoisonMessageError extends LograbbitError {
  constructor(
    code: 'LR_MESSAGE_UNDECODABLE' | 'LR_MESSAGE_UNPROCESSABLE' | 'LR_ROW_REFUSED',
    message: string,
    cause?: unknown,
  ) {
    super(code, message, { cause });
  }
}

/**
 * A command that ends by itself (`ingest`, `consume --until-idle`) did all it could, but moved
 * messages to data-dead: their lines are kept there, not stored. Exit code 4.
 */
export class DeadLetteredError extends LograbbitError {
  constructor(messages: number) {
    super(
      'LR_MESSAGES_DEAD',
      `${messages} message${messages === 1 ? ' was' : 's were'} moved to data-dead, not stored: \`lograbbit dead list\` says why, \`lograbbit dead replay\` retries once the cause is fixed`,
      { exitCode: EXIT_CODES.deadLettered },
    );
  }
}

/** The text of any thrown value, for logs and one-line error reports. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
