/**
 * Message bodies as the exact bytes the broker delivered, whatever their content type.
 *
 * rabbitmq-client decodes a body by its content type before handing it over (Channel `_onBody`):
 * `text/plain` becomes a string (invalid UTF-8 turned into U+FFFD) and `application/json` a parsed
 * value (its spacing, escapes and number spellings gone), unless the message has a content encoding.
 * Neither can be turned back into the bytes that were sent, so a foreign message moved to data-dead or
 * replayed from it would not be the message that came in. The library has no option for raw bodies:
 * this module gives every incoming header a content encoding that only the library's check sees
 * (a non-enumerable property, which the message object, built by spreading the fields, does not
 * copy). Importing it is enough; `src/broker/index.ts` does, so every connection of lograbbit gets it.
 */
import { Channel } from 'rabbitmq-client/lib/Channel.js';

interface HeaderFrame {
  readonly fields: { contentEncoding?: unknown };
}

/** The library's internal hook for each header frame, typed for the one field this module sets. */
interface ChannelInternals {
  _onHeader(frame: HeaderFrame): void;
}

const KEPT_AS_BYTES = Symbol.for('lograbbit.bodiesKeptAsBytes');

function keepBodiesAsBytes(): void {
  const internals = Channel.prototype as unknown as ChannelInternals & { [KEPT_AS_BYTES]?: true };
  if (internals[KEPT_AS_BYTES]) return;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with its channel as `this` below
  const onHeader = internals._onHeader;
  if (typeof onHeader !== 'function') {
    throw new Error('rabbitmq-client has no Channel._onHeader any more: src/broker/body.ts needs updating');
  }
  internals._onHeader = function (this: ChannelInternals, frame: HeaderFrame): void {
    if (!frame.fields.contentEncoding) {
      Object.defineProperty(frame.fields, 'contentEncoding', {
        value: 'binary',
        enumerable: false,
        configurable: true,
        writable: true,
      });
    }
    onHeader.call(this, frame);
  };
  internals[KEPT_AS_BYTES] = true;
}

keepBodiesAsBytes();

/**
 * The bytes of a received message's body. With this module loaded the body is always a Buffer; a
 * string or value could only come from a library that decoded it anyway, and is encoded back as well
 * as it can be (exact for valid UTF-8 text, not for JSON).
 */
export function bodyBytesOf(message: { readonly body: unknown }): Buffer {
  const { body } = message;
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Buffer.from(JSON.stringify(body) ?? '', 'utf8');
}

/**
 * The body exactly as it was sent, or `undefined` when it reached this process decoded (a string or
 * a parsed value), should this module's hook not be in place: the consumer then rejects the message
 * so that its queue dead-letters it with the bytes still on the broker.
 */
export function exactBodyOf(message: { readonly body: unknown }): Buffer | undefined {
  return Buffer.isBuffer(message.body) ? message.body : undefined;
}
