// Affinity by the JSESSIONID cookie (`cookie_needed`), the alternative to the server_id hash: the
// nodes set the cookie (sockjs-node's `jsessionid` option), HAProxy balances round-robin and
// prefixes the cookie with the node's name, so every request that carries it reaches that node.
// In real Chromium: cookies are the browser's (Node's fetch has no cookie jar).
import assert from 'node:assert/strict';
import { startCluster } from '../../demo/cluster.mjs';
import { openPage } from '../support/browser.mjs';

const HTTP_TRANSPORTS = ['xhr-streaming', 'eventsource', 'xhr-polling', 'jsonp-polling'];
const COUNT = 20;

/**
 * In a fresh page: one chat client over `transport` says COUNT messages in a room of its own and
 * waits (bounded) until they came back. Resolves with what /info said, the nodes that welcomed it,
 * the texts it got and its lost links.
 */
function chatThroughCookie(page, base, transport, tag, withCredentials) {
  return page.run(
    async (base, transport, count, tag, withCredentials) => {
      const deadline = Date.now() + 20000;
      const info = await (await fetch(`${base}chat/info`, { credentials: withCredentials ? 'include' : 'same-origin' })).json();
      const client = new window.Resock(`${base}chat?client=${tag}`, { transports: transport, withCredentials, reconnect: { minDelay: 100, maxDelay: 200 } });
      const out = { cookieNeeded: info.cookie_needed, nodes: [], texts: [], lost: [] };
      client.addEventListener('reconnecting', (event) => out.lost.push(event.detail.lastClose.reason));
      client.addEventListener('message', (event) => {
        const m = JSON.parse(event.data);
        if (m.type === 'welcome') {
          out.nodes.push(m.node);
          client.send(JSON.stringify({ type: 'join', room: tag, nick: tag, since: 0 }));
        } else if (m.type === 'joined' && out.nodes.length === 1) {
          for (let n = 1; n <= count; n++) client.send(JSON.stringify({ type: 'say', room: tag, nick: tag, text: String(n), cid: `${tag}-${n}` }));
        } else if (m.type === 'message' && m.room === tag) {
          out.texts.push(m.text);
        }
      });
      await new Promise((resolve) => {
        // Three lost sessions are enough to tell that the route is broken.
        const check = () => (out.texts.length >= count || out.lost.length >= 3 || Date.now() > deadline ? resolve() : setTimeout(check, 20));
        check();
      });
      client.close();
      return out;
    },
    base,
    transport,
    COUNT,
    tag,
    withCredentials,
  );
}

describe('cluster: JSESSIONID affinity, HAProxy routing by the nodes\' cookie (Chromium)', function () {
  this.timeout(120000);
  let cluster;
  const logs = [];
  before(async function () {
    this.timeout(180000);
    cluster = await startCluster({ balance: 'jsessionid', log: (line) => logs.push(line) });
  });
  afterEach(function () {
    if (this.currentTest.state === 'failed') console.error(logs.slice(-40).join('\n'));
  });
  after(async () => {
    await cluster?.close();
  });

  for (const transport of HTTP_TRANSPORTS) {
    it(`${transport}: /info says cookie_needed, and every request of the session reaches one node: ${COUNT} messages back, in order, no session lost`, async function () {
      const page = await openPage();
      const result = await chatThroughCookie(page, cluster.url, transport, `jar-${transport}`, true);
      assert.equal(result.cookieNeeded, true);
      assert.deepEqual(result.lost, [], 'lost sessions');
      assert.equal(result.nodes.length, 1);
      assert.deepEqual(result.texts, Array.from({ length: COUNT }, (_, i) => String(i + 1)));
    });
  }

  it('the route needs the cookie to travel: with withCredentials false, xhr-polling meets "session unknown" (round-robin underneath)', async function () {
    const page = await openPage();
    const result = await chatThroughCookie(page, cluster.url, 'xhr-polling', 'no-jar', false);
    assert.ok(result.lost.length > 0, `no session lost: ${JSON.stringify(result)}`);
    assert.ok(result.lost.every((reason) => /session/i.test(reason)), JSON.stringify(result.lost));
  });
});
