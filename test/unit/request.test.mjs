import assert from 'node:assert/strict';
import { failureText, request, requestReason } from '../../dist/esm/net/request.js';

/** An XMLHttpRequest double: answers `status` on send, or throws from setRequestHeader when told. */
function fakeXhr({ status = 204, refuseHeaders = false } = {}) {
  return class {
    open(method, url) {
      this.opened = [method, url];
    }
    setRequestHeader(name) {
      if (refuseHeaders) throw new SyntaxError(`'${name}' is not a valid HTTP header field value`);
    }
    send() {
      this.status = status;
      this.responseText = '';
      queueMicrotask(() => this.onload?.());
    }
    abort() {}
  };
}

const spec = { method: 'POST', url: 'http://h/echo/1/a/xhr_send', body: '["x"]', headers: { Authorization: 'token' }, withCredentials: true, maxLength: 1e6 };

describe('request over XMLHttpRequest', () => {
  it('answers with the status', async () => {
    assert.deepEqual(await request({ XMLHttpRequest: fakeXhr() }, spec).done, { status: 204, body: '' });
  });

  it('settles as a network error, instead of throwing, when XHR refuses a header value', async () => {
    const done = request({ XMLHttpRequest: fakeXhr({ refuseHeaders: true }) }, spec).done;
    assert.deepEqual(await done, { status: 0, body: '' });
  });

  it('names a header that neither XHR nor fetch would send, without sending anything', async () => {
    let sent = 0;
    const env = { fetch: () => (sent++, new Promise(() => {})), fetchStreams: true, XMLHttpRequest: fakeXhr() };
    for (const [headers, named] of [
      [{ Authorization: 'a\nb' }, 'Authorization'],
      [{ 'X-Token': 'caf\u00e9 \u20ac' }, 'X-Token'],
      [{ 'Bad Name': 'v' }, 'Bad Name'],
      [{ 'X-\u00e9': 'v' }, 'X-?'],
    ]) {
      const result = await request(env, { ...spec, headers }).done;
      assert.equal(failureText(result), `invalid header '${named}'`);
    }
    assert.equal(sent, 0);
    assert.equal(failureText(await request({ XMLHttpRequest: fakeXhr() }, { ...spec, headers: { 'X-Ok': 'caf\u00e9' } }).done), 'HTTP 204', 'Latin-1 is allowed');
  });

  it('settles as no answer when the browser aborts the request itself (window.stop()), instead of never', async () => {
    // Chromium's window.stop() aborts every XHR of the page: an `abort` event, neither error nor load.
    // Unsettled, a poll would hang the receiver and a POST the sender (every later send queued for ever).
    const made = [];
    class StoppedXhr {
      constructor() {
        made.push(this);
      }
      open() {}
      setRequestHeader() {}
      send() {}
      abort() {
        this.onabort?.();
      }
    }
    const { done } = request({ XMLHttpRequest: StoppedXhr }, spec);
    made[0].onabort?.();
    assert.deepEqual(await Promise.race([done, new Promise((resolve) => setImmediate(() => resolve('pending')))]), { status: 0, body: '' });
  });

  it('still says too large when it aborts a body past maxLength itself (abort() fires abort at once)', async () => {
    class LongXhr {
      open() {}
      setRequestHeader() {}
      send() {
        this.status = 200;
        this.responseText = 'x'.repeat(11);
        queueMicrotask(() => this.onprogress?.());
      }
      abort() {
        this.onabort?.();
      }
    }
    assert.deepEqual(await request({ XMLHttpRequest: LongXhr }, { ...spec, maxLength: 10 }).done, { status: -1, body: '' });
  });

  it('is used for short requests where there is one, fetch for streams', () => {
    let fetched = 0;
    const env = { fetch: () => (fetched++, new Promise(() => {})), fetchStreams: true, XMLHttpRequest: fakeXhr() };
    request(env, spec);
    assert.equal(fetched, 0);
    request(env, { ...spec, onChunk: () => {} });
    assert.equal(fetched, 1);
  });
});

describe('request over fetch', () => {
  /** A fetch double that records its calls and answers with `response()`. */
  function fakeFetch(response) {
    const calls = [];
    const fetch = (url, init) => {
      calls.push({ url, init });
      return Promise.resolve(response(init));
    };
    return { fetch, calls, env: { fetch, fetchStreams: true } };
  }

  it('reads a body as it arrives and aborts at maxLength, instead of holding an endless body whole', async () => {
    let pulls = 0;
    let signal;
    // Endless, but bounded for the test: at most 1000 pulls of 1 KiB.
    const endless = () =>
      new ReadableStream({
        pull(controller) {
          if (++pulls > 1000) return controller.close();
          controller.enqueue(new TextEncoder().encode('a'.repeat(1024)));
        },
      });
    const { env } = fakeFetch((init) => ((signal = init.signal), new Response(endless(), { status: 200 })));
    const result = await request(env, { ...spec, maxLength: 10000 }).done;
    assert.deepEqual(result, { status: -1, body: '' });
    assert.ok(pulls <= 12, `read ${pulls} KiB for a limit of 10,000 characters`);
    assert.equal(signal.aborted, true, 'the request was aborted');
  });

  it('keeps a body of exactly maxLength', async () => {
    const { env } = fakeFetch(() => new Response('abcde', { status: 500 }));
    assert.deepEqual(await request(env, { ...spec, maxLength: 5 }).done, { status: 500, body: 'abcde' });
  });

  it('decodes a body that ends inside a character as text() and XHR do (U+FFFD), instead of dropping its last bytes unseen', async () => {
    // '{}' then the first two bytes of a three-byte character: not JSON, and must not read as '{}'.
    const bytes = () => new Uint8Array([0x7b, 0x7d, 0xe2, 0x82]);
    const { env } = fakeFetch(() => new Response(bytes(), { status: 200 }));
    const expected = await new Response(bytes()).text();
    assert.equal(expected, '{}\ufffd');
    assert.deepEqual(await request(env, spec).done, { status: 200, body: expected });
    let streamed = '';
    await request(env, { ...spec, onChunk: (text) => (streamed += text) }).done;
    assert.equal(streamed, expected);
  });

  it('settles as a network error when fetch rejects', async () => {
    const env = { fetch: () => Promise.reject(new TypeError('Failed to fetch')), fetchStreams: true };
    assert.deepEqual(await request(env, spec).done, { status: 0, body: '' });
  });
});

describe('failureText and requestReason', () => {
  const bytes = (text) => Buffer.byteLength(text, 'utf8');

  it('say why in words: the HTTP status, no answer, too large', () => {
    assert.equal(failureText({ status: 404, body: '' }), 'HTTP 404');
    assert.equal(failureText({ status: 0, body: '' }), 'no answer (down? CORS? CSP?)');
    assert.equal(failureText({ status: -1, body: '' }), 'too large');
  });

  it('names the method and the URL without its query, which may carry a token', () => {
    assert.equal(requestReason('GET', 'http://h/echo/info?token=secret&t=1', 'HTTP 404'), 'GET http://h/echo/info: HTTP 404');
  });

  it('cuts a long URL so that the reason fits a WebSocket close reason (123 bytes), keeping the why whole', () => {
    const url = 'http://h/' + 'p'.repeat(300) + '/info';
    const reason = requestReason('POST', url, 'no answer (down? CORS? CSP?)');
    assert.equal(bytes(reason), 123);
    assert.match(reason, /^POST http:\/\/h\/p+: no answer \(down\? CORS\? CSP\?\)$/);
  });

  it('leaves a short URL whole', () => {
    const url = 'http://h/' + 'p'.repeat(80);
    const reason = requestReason('GET', url, 'HTTP 500');
    assert.equal(reason, `GET ${url}: HTTP 500`);
    assert.ok(bytes(reason) <= 123);
  });
});
