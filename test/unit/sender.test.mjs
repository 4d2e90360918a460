import assert from 'node:assert/strict';
import { batchSender, formSendEncoding, xhrSendEncoding } from '../../dist/esm/transports/http/sender.js';
import { fakeEnv, flush } from './fakes.mjs';

const OPTIONS = { headers: {}, withCredentials: true, maxFrameLength: 1e6 };

function sender() {
  const env = fakeEnv();
  const failures = [];
  const sent = [];
  const s = batchSender(env, 'http://h/echo/1/s/xhr_send', OPTIONS, xhrSendEncoding, (info) => failures.push(info), (count) => sent.push(count));
  const posts = env.infoRequests; // every fetch lands here
  const answer = async (status) => {
    posts.shift().resolve(new Response(null, { status }));
    await flush();
  };
  return { s, env, posts, failures, sent, answer };
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

  it('says how many messages went out once their POST is answered 2xx, not before, and not for a failed one', async () => {
    const { s, sent, answer } = sender();
    s.send(['a', 'b']);
    await flush();
    assert.deepEqual(sent, [], 'in flight is not out yet');
    s.send(['c']);
    await answer(204);
    assert.deepEqual(sent, [2]);
    await answer(500);
    assert.deepEqual(sent, [2]);
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

  it('on stop with last words (a farewell), aborts nothing: what waited, then they, go after the POST in flight, kept alive', async () => {
    const { s, posts, answer } = sender();
    s.send(['a']);
    await flush();
    s.send(['b']);
    assert.deepEqual(s.stop(['bye']), []);
    assert.equal(posts[0].aborted, false);
    assert.equal(posts[0].init.keepalive, false);
    await answer(204);
    assert.deepEqual([posts[0].init.body, posts[0].init.keepalive], ['["b","bye"]', true]);
    await answer(204);
    assert.equal(posts.length, 0);
  });

  it('keeps a farewell POST alive only within fetch\'s keepalive quota (64 KiB): past it fetch would refuse it', async () => {
    const { s, posts } = sender();
    s.stop(['x'.repeat(22 * 1024)]);
    await flush();
    assert.equal(posts[0].init.keepalive, false);
  });
});

describe('BatchSender: bounded POSTs', () => {
  it('splits a large queue into POSTs of at most MAX_BATCH characters, in order', async () => {
    const { s, posts, answer } = sender();
    const big = 'x'.repeat(100 * 1024);
    s.send([big + '1', big + '2', big + '3', big + '4']);
    await flush();
    assert.equal(JSON.parse(posts[0].init.body).length, 2);
    await answer(204);
    assert.deepEqual(JSON.parse(posts[0].init.body).map((m) => m.slice(-1)), ['3', '4']);
  });

  it('names a 404 as a session the server does not know, and hands the batch back', async () => {
    const { s, failures, answer } = sender();
    s.send(['a', 'b']);
    await flush();
    await answer(404);
    assert.match(failures[0].reason, /HTTP 404, session unknown/);
    assert.deepEqual(failures[0].unsent, ['a', 'b']);
  });

  it('does not take a 2xx with a body (a login page an auth proxy redirected to) as delivered, and hands the batch back', async () => {
    // xhr_send answers 204 with no body (the sockjs-protocol tests require it): a page is not SockJS.
    const { s, posts, failures, sent } = sender();
    s.send(['a', 'b']);
    await flush();
    posts.shift().resolve(new Response('<!DOCTYPE html><title>Sign in</title>', { status: 200 }));
    await flush();
    assert.deepEqual(sent, []);
    assert.match(failures[0]?.reason ?? '', /^POST \/xhr_send: HTTP 200/);
    assert.deepEqual(failures[0].unsent, ['a', 'b']);
  });

  it('takes jsonp_send\'s "ok" as delivered (a same-origin no-cors answer can be read)', async () => {
    const env = fakeEnv();
    const failures = [];
    const sent = [];
    const s = batchSender(env, 'http://h/echo/1/s/jsonp_send', OPTIONS, formSendEncoding, (info) => failures.push(info), (count) => sent.push(count));
    s.send(['a']);
    await flush();
    env.infoRequests.shift().resolve(new Response('ok', { status: 200 }));
    await flush();
    assert.deepEqual([sent, failures], [[1], []]);
  });

  it('sends a batch the server refuses as too large (413) again in halves on the same session, not back to the queue (the next link met the same 413)', async () => {
    const { s, posts, failures, sent, answer } = sender();
    s.send(['a', 'b', 'c', 'd']);
    await flush();
    s.send(['e']);
    await answer(413);
    assert.deepEqual(failures, []);
    assert.equal(posts[0].init.body, '["a","b"]');
    await answer(413);
    assert.equal(posts[0].init.body, '["a"]');
    await answer(204);
    assert.equal(posts[0].init.body, '["b"]', 'the smaller bound stays: the server keeps its own');
    await answer(204);
    await answer(204);
    await answer(204);
    await answer(204);
    assert.deepEqual([sent, failures, posts.length], [[1, 1, 1, 1, 1], [], 0]);
  });

  it('drops one message the server refuses as too large (413) rather than sending it for ever', async () => {
    const { s, failures, answer } = sender();
    s.send(['x'.repeat(300 * 1024)]);
    await flush();
    s.send(['next']);
    await answer(413);
    assert.match(failures[0].reason, /HTTP 413, message dropped/);
    assert.deepEqual(failures[0].unsent, ['next']);
    assert.equal(failures[0].tooLarge, 'x'.repeat(300 * 1024), 'named, for a layer that keeps its messages (resume)');
  });
});
