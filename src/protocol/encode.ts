/**
 * Client → server messages: a JSON array of strings, with every code unit that browsers or
 * proxies are known to mangle written as \uXXXX: C0 and C1 controls, U+2000–U+20FF, surrogates
 * (paired or lone, so no proxy can split a pair), U+FEFF, U+FFF0–U+FFFF, and every nonspacing
 * mark and every code point that Unicode normalisation changes. The last two stand in for
 * sockjs-client's list of 170 ranges: a superset of it (the tests check all 65,536), computed by
 * the engine instead of shipped. The price: ~1,150 more code units escaped than sockjs-client
 * does, mostly marks of Indic, Thai and vowelled Arabic text, which cost 6 bytes instead of 2–3.
 */
// eslint-disable-next-line no-control-regex
const CANDIDATE = /[\x7f-\x9f\u0300-\uffff]/g;
const MARK = /\p{Mn}/u;

/** Each code unit's encoding, decided once: most text repeats a few hundred of them. */
const encodings = new Map<string, string>();

function encodeCodeUnit(unit: string): string {
  let encoded = encodings.get(unit);
  if (encoded === undefined) {
    const code = unit.charCodeAt(0);
    const mangled =
      code < 0x300 || (code >= 0x2000 && code < 0x2100) || (code >= 0xd800 && code < 0xe000) || code === 0xfeff || code >= 0xfff0 ||
      unit.normalize() !== unit || MARK.test(unit);
    encoded = mangled ? '\\u' + ('000' + code.toString(16)).slice(-4) : unit;
    encodings.set(unit, encoded);
  }
  return encoded;
}

/** Encodes a batch of messages as the body of one SockJS send (a WebSocket frame or an `xhr_send` POST). */
export function encodeMessages(messages: readonly string[]): string {
  // JSON.stringify already writes C0 controls and lone surrogates as escapes.
  return JSON.stringify(messages).replace(CANDIDATE, encodeCodeUnit);
}
