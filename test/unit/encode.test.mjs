import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { encodeMessages } from '../../dist/esm/protocol/encode.js';

const { quote: sockjsQuote } = createRequire(import.meta.url)('sockjs-client/lib/utils/escape.js');

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

  it('escapes every code unit sockjs-client escapes (all 65,536 checked against its own quote())', () => {
    const missed = [];
    for (let code = 0; code < 0x10000; code++) {
      const unit = String.fromCharCode(code);
      if (sockjsQuote(unit).includes('\\u') && !encodeMessages([unit]).includes('\\u')) missed.push(code.toString(16));
    }
    assert.deepEqual(missed, []);
  });

  it('escapes combining marks and code points that normalisation would change', () => {
    // U+0339 is a mark outside sockjs-client's list.
    assert.equal(encodeMessages(['\u0339']), '["\\u0339"]');
    assert.equal(encodeMessages(['\u212b']), '["\\u212b"]', 'ANGSTROM SIGN normalises to Å');
    assert.equal(encodeMessages(['e\u0301']), '["e\\u0301"]');
  });
});
