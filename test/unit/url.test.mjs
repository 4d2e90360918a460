import assert from 'node:assert/strict';
import { appendPath, infoUrl, randomId, randomServerId, sessionUrl, toWebSocketUrl } from '../../dist/esm/protocol/url.js';
import { parseBaseUrl } from '../../dist/esm/protocol/base-url.js';

const bytes = (values) => () => Uint8Array.from(values);

describe('session URLs', () => {
  it('appends the server and session to the path', () => {
    assert.equal(sessionUrl('http://h:1/echo', '123', 'abcd'), 'http://h:1/echo/123/abcd');
  });

  it('keeps a query string on the base a query string', () => {
    const session = sessionUrl('http://h/echo?a=1', '123', 'abcd');
    assert.equal(appendPath(session, '/xhr'), 'http://h/echo/123/abcd/xhr?a=1');
    assert.equal(appendPath(session, '/jsonp', 'c=_r.x'), 'http://h/echo/123/abcd/jsonp?a=1&c=_r.x');
  });

  it('does not double a trailing slash', () => {
    assert.equal(sessionUrl('http://h/echo/', '1', 's'), 'http://h/echo/1/s');
  });

  it('adds a cache-busting t to /info', () => {
    assert.equal(infoUrl('http://h/echo?a=1', 42), 'http://h/echo/info?a=1&t=42');
  });

  it("leaves the app's query as written on /info and jsonp, as on every other request (no form re-encoding)", () => {
    // A query that form encoding rewrites: a key without '=', '~', '%20', a '+', an '=' in a value.
    const query = '?flag&sig=a~b%20c+d&k=v=1';
    assert.equal(infoUrl('http://h/echo' + query, 42), 'http://h/echo/info' + query + '&t=42');
    const session = sessionUrl('http://h/echo' + query, '123', 'abcd');
    assert.equal(appendPath(session, '/xhr'), 'http://h/echo/123/abcd/xhr' + query);
    assert.equal(appendPath(session, '/jsonp', 'c=_r.x'), 'http://h/echo/123/abcd/jsonp' + query + '&c=_r.x');
    assert.equal(infoUrl('http://h/echo', 42), 'http://h/echo/info?t=42');
    // An app's own t (a token, say) is no longer replaced by the timestamp on /info.
    assert.equal(infoUrl('http://h/echo?t=token', 42), 'http://h/echo/info?t=token&t=42');
  });

  it('turns http(s) into ws(s)', () => {
    assert.equal(toWebSocketUrl('http://h/x'), 'ws://h/x');
    assert.equal(toWebSocketUrl('https://h/x'), 'wss://h/x');
  });

  it('draws server ids 000–999 and session ids from a URL-safe alphabet', () => {
    assert.equal(randomServerId(bytes([0, 7])), '007');
    assert.equal(randomServerId(bytes([255, 255])), '535');
    assert.match(randomId(bytes([0, 31, 32, 255, 100]), 5), /^[a-z0-9]{5}$/);
  });
});

describe('parseBaseUrl', () => {
  it('accepts http and https and drops trailing slashes', () => {
    assert.equal(parseBaseUrl('http://localhost'), 'http://localhost');
    assert.equal(parseBaseUrl('https://h:8080/echo//'), 'https://h:8080/echo');
    assert.equal(parseBaseUrl('http://h/echo?a=1'), 'http://h/echo?a=1');
  });

  it('resolves a relative URL against the page, as sockjs-client does in browsers', () => {
    assert.equal(parseBaseUrl('/echo', 'http://page:3000/app/'), 'http://page:3000/echo');
  });

  it('says an absolute URL is needed where there is no page (Node, workers without location)', () => {
    assert.throws(() => parseBaseUrl('/echo'), /absolute http\(s\) URL is needed/);
  });

  for (const bad of ['', 'http://', '/echo', 'ftp://h/x', 'ws://h/x', 'http://h/x#frag', 'http://h/x#']) {
    it(`throws SyntaxError for ${JSON.stringify(bad)} without a page`, () => {
      assert.throws(() => parseBaseUrl(bad), SyntaxError);
    });
  }
});
