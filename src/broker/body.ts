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
 * The bytes of a received message's body, exactly as they were sent. With this module loaded the
 * library hands every body over as a Buffer; anything else means the hook above is not in place, a
 * defect that must not pass for data (re-encoding a decoded body would not give back its bytes).
 */
export function bodyBytesOf(message: { readonly body: unknown }): Buffer {
  if (Buffer.isBuffer(message.body)) return message.body;
  throw new TypeError(
    `a message body arrived decoded (${typeof message.body}), not as bytes: src/broker/body.ts is not in effect`,
  );
}
