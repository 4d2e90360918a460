import assert from 'node:assert/strict';
import { request } from '../../dist/esm/net/request.js';

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

  it('is used for short requests where there is one, fetch for streams', () => {
    let fetched = 0;
    const env = { fetch: () => (fetched++, new Promise(() => {})), fetchStreams: true, XMLHttpRequest: fakeXhr() };
    request(env, spec);
    assert.equal(fetched, 0);
    request(env, { ...spec, onChunk: () => {} });
    assert.equal(fetched, 1);
  });
});
