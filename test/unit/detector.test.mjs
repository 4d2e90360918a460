import assert from 'node:assert/strict';
import { candidates } from '../../dist/esm/connector/detector.js';
import { parseInfo } from '../../dist/esm/protocol/info.js';
import { allTransports } from '../../dist/esm/transports/index.js';

const names = (list) => list.map((d) => d.name);
const browser = { WebSocket: function () {}, fetch: () => {}, fetchStreams: true, XMLHttpRequest: function () {}, document: {} };

describe('candidates', () => {
  it('offers every transport, best first, in a full browser', () => {
    assert.deepEqual(names(candidates(allTransports, browser, {}, null, [])), ['websocket', 'xhr-streaming', 'eventsource', 'xhr-polling', 'jsonp-polling']);
  });

  it('drops websocket when the server says websocket:false', () => {
    assert.deepEqual(names(candidates(allTransports, browser, { websocket: false }, null, [])).slice(0, 1), ['xhr-streaming']);
  });

  it('keeps websocket unless /info says exactly false, as sockjs-client does ("false", 0, null: a server off the protocol)', () => {
    for (const value of ['"false"', '0', 'null', '""', '"no"', '{}']) {
      const info = parseInfo(`{"websocket":${value}}`);
      assert.deepEqual(names(candidates(allTransports, browser, info, null, [])).slice(0, 1), ['websocket'], value);
    }
  });

  it('drops what the platform lacks', () => {
    const worker = { fetch: () => {}, fetchStreams: true };
    assert.deepEqual(names(candidates(allTransports, worker, {}, null, [])), ['xhr-streaming', 'eventsource', 'xhr-polling']);
    // jsonp-polling sends no-cors form posts, which only fetch can make.
    const xhrOnly = { XMLHttpRequest: function () {}, fetchStreams: false, document: {} };
    assert.deepEqual(names(candidates(allTransports, xhrOnly, {}, null, [])), ['xhr-streaming', 'eventsource', 'xhr-polling']);
    const noStreams = { fetch: () => {}, XMLHttpRequest: function () {}, fetchStreams: false, document: {} };
    assert.deepEqual(names(candidates(allTransports, noStreams, {}, null, [])), ['xhr-streaming', 'eventsource', 'xhr-polling', 'jsonp-polling']);
  });

  it('keeps only what the user allows, in our order', () => {
    assert.deepEqual(names(candidates(allTransports, browser, {}, ['xhr-polling', 'websocket', 'iframe-htmlfile'], [])), ['websocket', 'xhr-polling']);
  });

  it('moves transports remembered as blocked to the end', () => {
    assert.deepEqual(names(candidates(allTransports, browser, {}, null, ['websocket'])), ['xhr-streaming', 'eventsource', 'xhr-polling', 'jsonp-polling', 'websocket']);
  });
});
