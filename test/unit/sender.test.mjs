import assert from 'node:assert/strict';
import { BatchSender, xhrSendEncoding } from '../../dist/esm/transports/http/sender.js';
import { fakeEnv, flush } from './fakes.mjs';

const OPTIONS = { headers: {}, withCredentials: true, maxFrameLength: 1e6 };

function sender() {
  const env = fakeEnv();
  const failures = [];
  const s = new BatchSender(env, 'http://h/echo/1/s/xhr_send', OPTIONS, xhrSendEncoding, (info) => failures.push(info));
  const posts = env.infoRequests; // every fetch lands here
  const answer = async (status) => {
    posts.shift().resolve(new Response(null, { status }));
    await flush();
  };
  return { s, env, posts, failures, answer };
}

describe('BatchSender', () => {
  it('batches what is sent in one task into one POST, with one POST in flight', async () => {
    const { s, posts, answer } = sender();
    s.send(['a']);
    s.send(['b', 'c']);
    await flush();
    assert.equal(posts.length, 1);
    assert.equal(posts[0].init.body, '["a","b","c"]');
    s.send(['d']);
    s.send(['e']);
    await flush();
    assert.equal(posts.length, 1, 'no second POST while one is in flight');
    await answer(204);
    assert.equal(posts.length, 1);
    assert.equal(posts[0].init.body, '["d","e"]');
  });

  it('gives back the refused batch first, then what waited, when a POST fails', async () => {
    const { s, failures, answer } = sender();
    s.send(['a', 'b']);
    await flush();
    s.send(['c']);
    await answer(500);
    assert.deepEqual(failures, [{ code: 1006, reason: 'POST /xhr_send: HTTP 500', wasClean: false, unsent: ['a', 'b', 'c'] }]);
  });

  it('does not resend a batch whose POST got no answer: it may have arrived', async () => {
    const { s, posts, failures } = sender();
    s.send(['a']);
    await flush();
    s.send(['b']);
    posts.shift().reject(new TypeError('network'));
    await flush();
    assert.deepEqual(failures[0].unsent, ['b']);
  });

  it('on stop, returns only what was never sent: the batch in flight may have arrived', async () => {
    const { s, posts } = sender();
    s.send(['a']);
    await flush();
    s.send(['b']);
    assert.deepEqual(s.stop(), ['b']);
    assert.equal(posts[0].aborted, true);
  });
});
