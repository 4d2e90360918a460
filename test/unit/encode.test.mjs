import assert from 'node:assert/strict';
import { encodeMessages } from '../../dist/esm/protocol/encode.js';

describe('encodeMessages', () => {
  it('is a JSON array that decodes to the same strings', () => {
    const messages = ['plain', 'ünïcödé 日本語 😀👍🏽', 'a["x"]', 'c[3000,"x"]', '\u0000\u001f\u007f\u0085\u2028\u2029\ufeff\ufff0\uffff', '\ud800 lone', 'lone \udc00'];
    assert.deepEqual(JSON.parse(encodeMessages(messages)), messages);
  });

  it('writes control characters, U+007F–U+009F, U+2000–U+20FF, U+FEFF and U+FFF0–U+FFFF as \\uXXXX', () => {
    const encoded = encodeMessages(['\u0001\u007f\u0099\u2000\u2028\u20ff\ufeff\ufff0\uffff']);
    assert.equal(encoded, '["\\u0001\\u007f\\u0099\\u2000\\u2028\\u20ff\\ufeff\\ufff0\\uffff"]');
  });

  it('escapes surrogates, paired or lone, so no proxy can split a pair', () => {
    assert.equal(encodeMessages(['😀']), '["\\ud83d\\ude00"]');
    assert.equal(encodeMessages(['\ud800']), '["\\ud800"]');
  });

  it('leaves ordinary text, including non-Latin scripts, unescaped', () => {
    assert.equal(encodeMessages(['héllo Ωмир 中文']), '["héllo Ωмир 中文"]');
  });

  it('escapes every code point sockjs-client escapes', () => {
    // Samples from sockjs-client's extraEscapable set.
    for (const ch of ['\u0300', '\u0374', '\u05c4', '\u0958', '\u1f71', '\u2126', '\uf900', '\ufb1d']) {
      assert.match(encodeMessages([ch]), /^\["\\u[0-9a-f]{4}"\]$/, `U+${ch.charCodeAt(0).toString(16)}`);
    }
  });
});
