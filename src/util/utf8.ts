/** UTF-8 length without allocating: what a message costs on the wire, before escaping. */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A pair is 4 bytes; a lone surrogate goes as U+FFFD, 3, as TextEncoder and WebSocket count it.
    if (unit >> 10 === 0x36 && text.charCodeAt(i + 1) >> 10 === 0x37) i++, bytes += 2;
    else if (unit >= 0x800) bytes += 2;
    else if (unit >= 0x80) bytes += 1;
  }
  return bytes;
}
