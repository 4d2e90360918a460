// What happens to a message whose POST (`xhr_send`, `jsonp_send`) had not succeeded when its link died, on
// the HTTP transports that send with one: the rules, pinned with a server that misbehaves
// on purpose at the right moment rather than with random cuts.
// - The POST reached the server, which has not answered yet, and the link dies: the message was
//   handed to a link that died, so it may be lost (at-most-once), but it must not be sent again:
//   the server got it (here it even echoed it).
// - The POST ends with no answer at all (its connection drops): the page cannot tell whether the
//   server got it, so, at-most-once, it is not sent again (here the server had it, and echoed it).
// - The server refused the POST (an HTTP error status: it did not take the messages): the batch
//   goes back to the head of the queue and is delivered after the reconnect.
import assert from 'node:assert/strict';
import { openPage } from '../support/browser.mjs';
import { startSockjsServer } from '../support/sockjs-server.mjs';

const FAST_RECONNECT = { minDelay: 50, maxDelay: 500 };
const isSend = (req) => /\/(xhr|jsonp)_send$/.test(new URL(req.url, 'http://x').pathname);
/** The request that carries frames to the page on each transport (stream or poll). */
const RECEIVING = { 'xhr-streaming': '/xhr_streaming', eventsource: '/eventsource', 'xhr-polling': '/xhr' };

describe('Resock and a POST that did not succeed', function () {
  // Whatever the current test wants done to requests before sockjs sees them.
  let onRequest = () => {};
  let server;
  before(async () => {
    server = await startSockjsServer({ heartbeatDelay: 25000, onRequest: (req, res) => onRequest(req, res) });
  });
  after(async () => {
    await server?.close();
  });
  afterEach(() => {
    onRequest = () => {};
  });

  async function openClient(transport) {
    const page = await openPage();
    const client = await page.connectResock(server.url('/echo'), { transports: transport, reconnect: FAST_RECONNECT });
    assert.equal((await client.opened()).transport, transport);
    return { page, client };
  }

  /** How many POSTs of messages the page made, as the browser saw them (a repeat by the browser itself counts once). */
  const sendRequests = (page) => page.network.startedRequests().filter((url) => /\/(xhr|jsonp)_send$/.test(new URL(url).pathname)).length;

  // xhr-polling is not in this list: when the server drops a poll's connection, Chromium sends
  // the poll again by itself (a request on a reused keep-alive connection that fails before any
  // answer is retried), so the link does not die.
  for (const transport of ['xhr-streaming', 'eventsource']) {
    it(`${transport}: a message whose POST reached the server is not sent again when the link dies before the answer`, async function () {
      const receivers = new Set();
      let posts = 0;
      onRequest = (req, res) => {
        if (new URL(req.url, 'http://x').pathname.endsWith(RECEIVING[transport])) receivers.add(req.socket);
        if (isSend(req) && posts++ === 0) {
          // sockjs takes the messages of the first POST (and echoes them) at once; only its answer is held back.
          const end = res.end.bind(res);
          res.end = (...args) => setTimeout(() => end(...args), 3000);
        }
      };
      const { client } = await openClient(transport);
      await client.send('x');
      assert.deepEqual(await client.messages(1), ['x']); // echoed, its POST still unanswered
      for (const socket of receivers) socket.destroy(); // the link dies, the POST's connection lives
      await client.count('open', 2);
      onRequest = () => {};
      await client.send('y');
      const received = await client.messagesUntil('y');
      const [lost] = await client.events('reconnecting');
      assert.deepEqual(received, ['x', 'y'], `link 1 lost with ${JSON.stringify(lost.detail.lastClose)}`);
    });
  }

  for (const transport of ['xhr-streaming', 'eventsource', 'xhr-polling', 'jsonp-polling']) {
    it(`${transport}: a message whose POST got no answer at all is not sent again (it may have arrived)`, async function () {
      let heldPost = null;
      onRequest = (req, res) => {
        // Every request on a connection of its own: Chromium repeats by itself a request whose
        // reused keep-alive connection drops before the answer, which would blur what the client does.
        res.shouldKeepAlive = false;
        // sockjs takes the messages of the first POST (and echoes them); its answer never leaves.
        if (isSend(req) && !heldPost) res.end = () => (heldPost = req.socket);
      };
      const { page, client } = await openClient(transport);
      await client.send('x');
      assert.deepEqual(await client.messages(1), ['x']);
      heldPost.destroy(); // the POST fails without a status: the page cannot know the server has it
      await client.count('open', 2);
      onRequest = () => {};
      await client.send('y');
      const received = await client.messagesUntil('y');
      const [lost] = await client.events('reconnecting');
      assert.deepEqual(received, ['x', 'y'], `link 1 lost with ${JSON.stringify(lost.detail.lastClose)}; the page made ${sendRequests(page)} POSTs of messages`);
    });
  }

  for (const transport of ['xhr-streaming', 'eventsource', 'xhr-polling']) {
    it(`${transport}: a batch whose POST the server refused is sent again after the reconnect, first`, async function () {
      let refused = 0;
      onRequest = (req) => {
        // The first POST goes to a session that does not exist: sockjs answers 404 and takes nothing.
        if (isSend(req) && refused++ === 0) req.url = req.url.replace(/\/[^/]+\/xhr_send/, '/no-such-session/xhr_send');
      };
      const { client } = await openClient(transport);
      await client.send('x');
      await client.count('open', 2);
      const [lost] = await client.events('reconnecting');
      assert.equal(lost.detail.lastClose.reason, 'POST /xhr_send: HTTP 404, session unknown');
      await client.send('y');
      assert.deepEqual(await client.messagesUntil('y'), ['x', 'y']);
    });
  }
});
