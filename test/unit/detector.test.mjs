import assert from 'node:assert/strict';
import { candidates } from '../../dist/esm/connector/detector.js';
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
