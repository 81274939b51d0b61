/**
 * The bytes of a received message body. rabbitmq-client decodes a body whose content type is
 * `text/plain` (into a string) or `application/json` (into a parsed value) when it has no content
 * encoding, and has no option to keep the bytes. Neither decoding can be undone exactly: invalid
 * UTF-8 has become U+FFFD, and JSON has lost its spacing and the form of its numbers.
 */

/**
 * The body exactly as it was sent, or `undefined` when rabbitmq-client decoded it and the bytes are
 * gone from this process (they are still on the broker: a rejected message that its queue
 * dead-letters keeps them).
 */
export function exactBodyOf(message: { readonly body: unknown }): Buffer | undefined {
  return Buffer.isBuffer(message.body) ? message.body : undefined;
}
