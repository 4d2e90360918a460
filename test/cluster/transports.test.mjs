// Each of the five transports through HAProxy, then through nginx, to 3 nodes, in real Chromium
// (the built dist/resock.min.js in the test page, another origin than the balancer's): a message
// from a client on node A reaches the clients on B and C, in order, through RabbitMQ.
import assert from 'node:assert/strict';
import { startCluster } from '../../demo/cluster.mjs';
import { startNginx } from '../../demo/nginx.mjs';
import { openPage } from '../support/browser.mjs';

const TRANSPORTS = ['websocket', 'xhr-streaming', 'eventsource', 'xhr-polling', 'jsonp-polling'];
const COUNT = 10;

describe('cluster: every transport through a balancer to 3 nodes (Chromium)', function () {
  this.timeout(120000);
  let cluster;
  let nginx;
  const logs = [];
  before(async function () {
    this.timeout(180000);
    cluster = await startCluster({ log: (line) => logs.push(line) });
    // The same nodes behind nginx too, with the configuration the README shows.
    nginx = await startNginx({ nodes: cluster.names.map((name) => ({ port: cluster.nodePort(name) })), log: (line) => logs.push(line) });
  });
  afterEach(function () {
    if (this.currentTest.state === 'failed') console.error(logs.slice(-40).join('\n'));
  });
  after(async () => {
    await nginx?.close();
    await cluster?.close();
  });

  const balancers = { HAProxy: () => cluster.url, nginx: () => `http://127.0.0.1:${nginx.port}/` };
  for (const [balancer, baseUrl] of Object.entries(balancers)) {
    for (const transport of TRANSPORTS) {
      it(`${balancer}, ${transport}: ${COUNT} messages of a client on one node reach the clients on the two others, in order`, async function () {
        const page = await openPage();
        const result = await page.run(
          // `tag` names the clients and messages: a node delivers a message id (cid) once, whatever the balancer.
          async (base, transport, count, nodes, tag) => {
            const deadline = Date.now() + 60000;
            /** Opens a chat client; resolves with it once a node welcomed it. */
            const open = (id) =>
              new Promise((resolve, reject) => {
                const client = new window.Resock(`${base}chat?client=${id}`, { transports: transport });
                client.texts = [];
                client.addEventListener('message', (event) => {
                  const m = JSON.parse(event.data);
                  if (m.type === 'welcome') {
                    client.node = m.node;
                    client.send(JSON.stringify({ type: 'join', room: 'fanout', nick: id, since: 0 }));
                  } else if (m.type === 'joined') {
                    resolve(client);
                  } else if (m.type === 'message' && m.room === 'fanout') {
                    client.texts.push(m.text);
                  }
                });
                client.addEventListener('close', (event) => reject(new Error(`${id} closed: ${event.code} ${event.reason}`)));
              });
            // Which node a client lands on is the hash of its random server_id: open until each has
            // one (at most 40), closing the others at once (a page has 6 connections per origin).
            const byNode = new Map();
            for (let i = 0; i < 40 && byNode.size < nodes.length && Date.now() < deadline; i++) {
              const client = await open(`${tag}-${i}`);
              if (byNode.has(client.node)) client.close();
              else byNode.set(client.node, client);
            }
            const clients = [...byNode.values()];
            if (clients.length < nodes.length) return { error: `clients landed on ${[...byNode.keys()]} only` };
            const [sender, ...receivers] = clients;
            for (let n = 1; n <= count; n++) sender.send(JSON.stringify({ type: 'say', room: 'fanout', nick: 'a', text: String(n), cid: `${tag}-${n}` }));
            await new Promise((resolve) => {
              const check = () => (clients.every((c) => c.texts.length >= count) || Date.now() > deadline ? resolve() : setTimeout(check, 20));
              check();
            });
            const out = { sender: sender.node, receivers: receivers.map((c) => ({ node: c.node, texts: c.texts, transport: c.transport })) };
            for (const c of clients) c.close();
            return out;
          },
          baseUrl(),
          transport,
          COUNT,
          cluster.names,
          `${balancer}-${transport}`,
        );
        assert.equal(result.error, undefined, result.error);
        const expected = Array.from({ length: COUNT }, (_, i) => String(i + 1));
        assert.equal(result.receivers.length, 2);
        for (const r of result.receivers) {
          assert.notEqual(r.node, result.sender);
          assert.equal(r.transport, transport);
          assert.deepEqual(r.texts, expected, `the client on ${r.node} (sender on ${result.sender})`);
        }
      });
    }
  }
});
