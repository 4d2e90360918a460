/**
 * Client → server messages: a JSON array of strings, with every code point that browsers or
 * proxies are known to mangle written as \uXXXX. The set is sockjs-client's (C0 controls, all
 * surrogates, noncharacters, and the code points that Unicode normalisation would change) plus
 * U+007F–U+009F, U+2000–U+20FF and U+FEFF, which some proxies strip or rewrite.
 */
// eslint-disable-next-line no-control-regex, no-misleading-character-class
const ESCAPABLE = /[\x00-\x1f\x7f-\x9f\u0300-\u0333\u033d-\u0346\u034a-\u034c\u0350-\u0352\u0357\u0358\u035c-\u0362\u0374\u037e\u0387\u0591-\u05af\u05c4\u0610-\u0617\u0653\u0654\u0657-\u065b\u065d\u065e\u06df-\u06e2\u06eb\u06ec\u0730\u0732\u0733\u0735\u0736\u073a\u073d\u073f-\u0741\u0743\u0745\u0747\u07eb-\u07f1\u0951\u0958-\u095f\u09dc\u09dd\u09df\u0a33\u0a36\u0a59-\u0a5b\u0a5e\u0b5c\u0b5d\u0e38\u0e39\u0f43\u0f4d\u0f52\u0f57\u0f5c\u0f69\u0f72-\u0f76\u0f78\u0f80-\u0f83\u0f93\u0f9d\u0fa2\u0fa7\u0fac\u0fb9\u1939\u193a\u1a17\u1b6b\u1cda\u1cdb\u1dc0-\u1dcf\u1dfc\u1dfe\u1f71\u1f73\u1f75\u1f77\u1f79\u1f7b\u1f7d\u1fbb\u1fbe\u1fc9\u1fcb\u1fd3\u1fdb\u1fe3\u1feb\u1fee\u1fef\u1ff9\u1ffb\u1ffd\u2000-\u20ff\u2126\u212a\u212b\u2329\u232a\u2adc\u302b\u302c\uaab2\uaab3\ud800-\udfff\uf900-\ufa0d\ufa10\ufa12\ufa15-\ufa1e\ufa20\ufa22\ufa25\ufa26\ufa2a-\ufa2d\ufa30-\ufa6d\ufa70-\ufad9\ufb1d\ufb1f\ufb2a-\ufb36\ufb38-\ufb3c\ufb3e\ufb40\ufb41\ufb43\ufb44\ufb46-\ufb4e\ufeff\ufff0-\uffff]/g;

const escapeCodeUnit = (unit: string): string => '\\u' + ('000' + unit.charCodeAt(0).toString(16)).slice(-4);

/** Encodes a batch of messages as the body of one SockJS send (a WebSocket frame or an `xhr_send` POST). */
export function encodeMessages(messages: readonly string[]): string {
  return JSON.stringify(messages).replace(ESCAPABLE, escapeCodeUnit);
}
