// The demo server (demo/server.mjs) faced with what no page sends: malformed request targets and
// garbage over its endpoints. It must answer (or ignore) each one and stay up for everyone else.
// Node only: raw sockets and `ws`, no browser.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { createChat } from '../../demo/chat.mjs';
import { checkFirstFrame, rewriteConnect } from '../../demo/stomp-relay.mjs';
import WebSocket from 'ws';
import { startDemoServer } from '../../demo/server.mjs';
import { withDeadline } from '../support/deadline.mjs';

/** Writes `raw` to the server and resolves with all it answered once it closes (or after 2 s of silence: no answer). */
function rawRequest(port, raw) {
  return withDeadline(
    new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write(raw));
      let answer = '';
      socket.setEncoding('latin1');
      socket.on('data', (text) => (answer += text));
      socket.on('error', () => {});
      socket.on('close', () => resolve(answer));
      socket.setTimeout(2000, () => socket.destroy());
    }),
    { what: `an answer to ${JSON.stringify(raw.split('\r\n')[0])}` },
  );
}

/**
 * A raw SockJS WebSocket session of page `client` on the chat (or on `endpoint`): what it hears
 * (chat messages parsed; raw text, and `{ close: [code, reason] }`, with `raw`), and `send` of anything.
 */
async function chatLink(demo, client, session, { endpoint = 'chat', raw = false } = {}) {
  const socket = new WebSocket(`${demo.url.replace(/^http/, 'ws')}${endpoint}/000/${session}/websocket?client=${client}`);
  const heard = [];
  const waiters = new Set();
  socket.on('message', (data) => {
    const frame = String(data);
    if (frame[0] === 'a') heard.push(...JSON.parse(frame.slice(1)).map((m) => (raw ? m : JSON.parse(m))));
    if (frame[0] === 'c' && raw) heard.push({ close: JSON.parse(frame.slice(1)) });
    for (const wake of waiters) wake();
  });
  socket.on('error', () => {}); // a link the server cuts: 'close' tells
  const closed = new Promise((resolve) => socket.once('close', resolve));
  await withDeadline(new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject)), { what: `session ${session} to open` });
  return {
    heard,
    /** Resolves when the socket has closed, however. */
    closed: () => withDeadline(closed, { what: `session ${session} to close` }),
    /** Sends one SockJS message: `raw` as it is (a string), or anything else as JSON. */
    send: (raw) => socket.send(JSON.stringify([typeof raw === 'string' ? raw : JSON.stringify(raw)])),
    /** Resolves with the first message heard that `match` accepts. */
    waitFor: (what, match) =>
      withDeadline(
        new Promise((resolve) => {
          const check = () => {
            const found = heard.find(match);
            if (found) resolve(found, waiters.delete(check));
          };
          waiters.add(check);
          check();
        }),
        { what, explain: async () => `heard: ${heard.map((m) => m.type).join(', ') || 'nothing'}` },
      ),
    close: () => socket.close(),
  };
}

describe('demo server: malformed input', function () {
  this.timeout(30000);
  let demo;
  beforeEach(async () => (demo = await startDemoServer({ port: 0 })));
  afterEach(() => demo?.close());

  const health = async () => (await fetch(`${demo.url}health`)).status;

  for (const target of ['//[', '//[/chat/000/abc/xhr?client=x', 'http://[/chat/info', '/not-an-endpoint']) {
    for (const upgrade of [false, true]) {
      it(`a request for ${JSON.stringify(target)}${upgrade ? ' (WebSocket upgrade)' : ''} is answered, and the server stays up`, async function () {
        const headers = upgrade
          ? 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n'
          : 'Connection: close\r\n';
        const answer = await rawRequest(demo.port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}\r\n`);
        assert.match(answer, /^HTTP\/1\.1 404 /, 'answered 404');
        assert.equal(await health(), 200, 'the server still answers');
      });
    }
  }
});

describe('demo server: malformed chat messages', function () {
  this.timeout(30000);
  let demo;
  beforeEach(async () => (demo = await startDemoServer({ port: 0 })));
  afterEach(() => demo?.close());

  it('fields of the wrong type (objects that JSON cannot make strings of, arrays, numbers, null) are ignored, and the chat goes on', async function () {
    const hostile = await chatLink(demo, 'hostile', 'h1');
    await hostile.waitFor('the welcome', (m) => m.type === 'welcome');
    // String({ toString: 1 }) throws: no field may reach String(), Number() or a template as it is.
    const values = [{ toString: 1 }, { valueOf: 1, toString: 1 }, ['lobby'], { a: 1 }, 42, null, true];
    const fields = { join: ['room', 'nick', 'since'], say: ['room', 'nick', 'text', 'cid'], ping: ['t'], control: ['action', 'ref'] };
    const valid = { join: { room: 'lobby', nick: 'eve', since: 0 }, say: { room: 'lobby', nick: 'eve', text: 'hi', cid: 'x' }, ping: { t: 1 }, control: { action: 'none', ref: 'r' } };
    for (const [type, names] of Object.entries(fields)) {
      for (const name of names) for (const value of values) hostile.send({ ...valid[type], type, [name]: value, cid: `${type}-${name}-${values.indexOf(value)}` });
    }
    for (const raw of ['', 'null', '42', '"text"', '[]', '{}', '{"type":null}', '{"type":"__proto__"}', '{"type":"constructor"}', '{"type":{}}', '{', '[1,'.repeat(10000)]) hostile.send(raw);

    const page = await chatLink(demo, 'page', 'p1');
    page.send({ type: 'join', room: 'lobby', nick: 'page', since: 0 });
    await page.waitFor('the join', (m) => m.type === 'joined');
    page.send({ type: 'say', room: 'lobby', nick: 'page', text: 'still here', cid: 'page-1' });
    await page.waitFor('the echo of a message said after the garbage', (m) => m.type === 'message' && m.text === 'still here');
    const rooms = (await page.waitFor('the room list', (m) => m.type === 'welcome')).rooms.map((r) => r.name);
    assert.deepEqual(rooms.filter((name) => !['lobby', 'transports', 'random'].includes(name)), [], 'no room made of a value that is not a string');
    for (const m of page.heard.filter((m) => m.type === 'message')) {
      assert.equal(typeof m.text, 'string');
      assert.equal(typeof m.nick, 'string');
      assert.equal(typeof m.cid, 'string');
      assert.doesNotMatch(`${m.nick} ${m.text}`, /\[object Object\]/, 'a message made of an object');
    }
    hostile.close();
    page.close();
  });
});

describe('demo server: nicknames', function () {
  this.timeout(30000);
  let demo;
  before(async () => (demo = await startDemoServer({ port: 0 })));
  after(() => demo?.close());

  it('lose their control and bidi control characters: no nick turns the member list around', async function () {
    const page = await chatLink(demo, 'bidi', 'b1');
    page.send({ type: 'join', room: 'lobby', nick: '\u202eevil\u2066\u200f\u0007\u0085 one', since: 0 });
    const { members } = await page.waitFor('the member list', (m) => m.type === 'presence');
    assert.deepEqual(members.map((m) => m.nick), ['evil one']);
    page.send({ type: 'say', room: 'lobby', nick: '\u202e\u202e', text: 'only controls: the nick of the join', cid: 'b1' });
    assert.equal((await page.waitFor('the echo', (m) => m.type === 'message')).nick, 'evil one');
    page.close();
  });
});

describe('demo server: rooms', function () {
  this.timeout(30000);
  let demo;
  afterEach(() => demo?.close());

  /** Joins `room` (a name as the server keeps it); resolves with the answer, 'joined' or 'refused'. */
  const join = async (link, room, name = room) => {
    link.send({ type: 'join', room: name, nick: 'n', since: 0 });
    return link.waitFor(`an answer to the join of #${room}`, (m) => (m.type === 'joined' || m.type === 'refused') && m.room === room);
  };

  it('past the bound, a new room takes the place of the least used one that nobody is in', async function () {
    demo = await startDemoServer({ port: 0, maxRooms: 5 }); // lobby, transports, random and two more
    const page = await chatLink(demo, 'page', 'p1');
    for (const room of ['one', 'two', 'three', 'four']) assert.equal((await join(page, room)).type, 'joined', `#${room} made`);
    page.send({ type: 'say', room: 'four', nick: 'n', text: 'in four', cid: 'c1' });
    await page.waitFor('the echo in #four', (m) => m.type === 'message' && m.text === 'in four');
    const rooms = await page.waitFor('a room list with #four', (m) => m.type === 'rooms' && m.rooms.some((r) => r.name === 'four'));
    // #one and #two were forgotten for #three and #four; the page is in #four.
    assert.deepEqual(rooms.rooms.map((r) => r.name), ['lobby', 'transports', 'random', 'three', 'four']);
    page.close();
  });

  it('with every room in use, a join is refused (the page stays in its room), and so is a message to a new room', async function () {
    demo = await startDemoServer({ port: 0, maxRooms: 4 });
    const other = await chatLink(demo, 'other', 'o1');
    assert.equal((await join(other, 'taken')).type, 'joined');
    const page = await chatLink(demo, 'page', 'p1');
    assert.equal((await join(page, 'lobby')).type, 'joined');
    const refused = await join(page, 'full-house', 'full house');
    assert.equal(refused.room, 'full-house');
    assert.equal(refused.current, 'lobby', 'the room the server still has the page in');
    assert.match(refused.text, /#full-house cannot be opened/);
    page.send({ type: 'say', room: 'full house', nick: 'n', text: 'hello?', cid: 'c1' });
    assert.equal((await page.waitFor('the refusal of a message', (m) => m.type === 'refused' && m.cid === 'c1')).room, 'full-house');
    other.close();
    page.close();
  });
});

describe('demo server: the STOMP relay and the credentials it sets', function () {
  this.timeout(30000);
  let broker;
  let received; // what the fake broker got, per connection
  let brokerData; // emits 'data' after each chunk the fake broker got
  let demo;
  beforeEach(async () => {
    received = [];
    brokerData = new EventEmitter();
    broker = net.createServer((socket) => {
      const entry = { text: '' };
      received.push(entry);
      socket.setEncoding('utf8');
      socket.on('data', (text) => {
        entry.text += text;
        brokerData.emit('data');
      });
      socket.on('error', () => {});
    });
    await new Promise((resolve) => broker.listen(0, '127.0.0.1', resolve));
    demo = await startDemoServer({ port: 0, broker: `127.0.0.1:${broker.address().port}`, brokerLogin: 'demo', brokerPasscode: 'demo-secret' });
  });
  afterEach(async () => {
    await demo?.close();
    await new Promise((resolve) => broker.close(resolve));
  });

  it('a CONNECT gets the login and passcode of the server, whatever the page put in it', async function () {
    const page = await chatLink(demo, 'page', 's1', { endpoint: 'stomp', raw: true });
    page.send('CONNECT\naccept-version:1.2\nlogin:admin\npasscode:guess\n\n\0');
    const connectArrived = new Promise((resolve) => {
      const check = () => received[0]?.text.includes('\0') && (brokerData.off('data', check), resolve());
      brokerData.on('data', check);
      check();
    });
    await withDeadline(connectArrived, { what: 'the CONNECT at the broker', explain: async () => `the broker got ${JSON.stringify(received.map((r) => r.text))}` });
    assert.equal(received[0].text, 'CONNECT\naccept-version:1.2\nlogin:demo\npasscode:demo-secret\nhost:/\n\n\0');
    page.close();
  });

  // A relay that took the first NUL for the end of the CONNECT passed these on as they came, and
  // the broker read the page's own login ('Access refused for user \'nobody\'' from RabbitMQ).
  for (const [what, frames] of [
    ['a NUL before the blank line', ['CONNECT\naccept-version:1.2\nlogin:nobody\npasscode:x\0', '\n\n\0']],
    ['a NUL before the command', ['\0CONNECT\naccept-version:1.2\nlogin:nobody\npasscode:x\n\n\0']],
    ['another command first', ['SEND\ndestination:/topic/x\n\n\0CONNECT\nlogin:nobody\npasscode:x\n\n\0']],
  ]) {
    it(`a first frame with ${what}: closed with 3003, nothing of it reaches the broker`, async function () {
      const page = await chatLink(demo, 'page', 's2', { endpoint: 'stomp', raw: true });
      for (const frame of frames) page.send(frame);
      const { close } = await page.waitFor('the close', (m) => m.close);
      assert.equal(close[0], 3003);
      await new Promise((resolve) => setImmediate(resolve));
      for (const { text } of received) assert.doesNotMatch(text, /nobody/, 'the page\'s login reached the broker');
      page.close();
    });
  }

  it('"go offline" cuts every link of the page, its STOMP link too', async function () {
    const stomp = await chatLink(demo, 'offline-page', 's3', { endpoint: 'stomp', raw: true });
    stomp.send('CONNECT\naccept-version:1.2\n\n\0');
    const chat = await chatLink(demo, 'offline-page', 'c3');
    await chat.waitFor('the welcome', (m) => m.type === 'welcome');
    const bystander = await chatLink(demo, 'another-page', 'c4');
    await bystander.waitFor('the welcome', (m) => m.type === 'welcome');
    chat.send({ type: 'control', action: 'offline', ref: 'r1' });
    await chat.closed();
    await stomp.closed(); // it stayed open through the 5 s "offline": #stomp went on as if nothing happened
    bystander.send({ type: 'ping', t: 7 });
    await bystander.waitFor("another page's link, left alone, to answer", (m) => m.type === 'pong' && m.t === 7);
    bystander.close();
  });

  it('checkFirstFrame and rewriteConnect: heart-beats first, CRLF, a frame in parts', function () {
    assert.equal(checkFirstFrame('\n\nCONNECT\naccept-version:1.2'), null, 'headers not all in yet');
    assert.deepEqual(checkFirstFrame('\r\nCONNECT\r\nlogin:x\r\n\r\n\0'), { connect: true });
    assert.deepEqual(checkFirstFrame('STOMP\n\n\0'), { connect: true });
    assert.ok(checkFirstFrame('CONN\0').error);
    assert.ok(checkFirstFrame('SUBSCRIBE\n').error);
    const creds = { login: 'l', passcode: 'p', vhost: '/' };
    assert.equal(rewriteConnect('\nCONNECT\nlogin:x\nheart-beat:0,0\n\nbody\0SEND', creds), '\nCONNECT\nheart-beat:0,0\nlogin:l\npasscode:p\nhost:/\n\nbody\0SEND');
  });
});

describe('demo chat, cluster mode: what comes from the bus', function () {
  /** A chat node with a bus that hands every publish back, and one page in #lobby: what it is sent. */
  function node() {
    const sockjsServer = new EventEmitter();
    let chat;
    const bus = { publish: (message) => chat.deliver(JSON.parse(JSON.stringify(message))) };
    const faults = { isWebSocketBlocked: () => false };
    chat = createChat(sockjsServer, { prefix: '/chat', faults, bus, node: 'n1' });
    const conn = Object.assign(new EventEmitter(), { url: '/chat/000/s1/websocket?client=page', protocol: 'websocket', written: [] });
    conn.write = (text) => conn.written.push(JSON.parse(text));
    conn.close = () => {};
    sockjsServer.emit('connection', conn);
    conn.emit('data', JSON.stringify({ type: 'join', room: 'lobby', nick: 'page', since: 0 }));
    return { chat, conn, messages: () => conn.written.filter((m) => m.type === 'message') };
  }

  it('a message published to the exchange by someone else reaches pages only with fields of their types', function () {
    const { chat, conn, messages } = node();
    for (const forged of [
      { type: 'message', id: 1, room: 'lobby', nick: { toString: 1 }, text: 'a nick that is no string' },
      { type: 'message', id: 2, room: 'lobby', nick: 'x', text: ['no', 'string'] },
      { type: 'message', id: 'three', room: 'lobby', nick: 'x', text: 'an id that is no number' },
      { type: 'message', room: 'lobby', nick: 'x', text: 'no id' },
      null,
      'text',
    ]) {
      chat.deliver(forged);
    }
    assert.deepEqual(messages(), [], 'none of them is sent to the page');
    chat.deliver({ id: 4, room: 'Lobby', nick: ' mallory ', text: 'odd fields', cid: 5, ts: 'never', via: {}, node: [], extra: '<b>' });
    const [message] = messages();
    assert.deepEqual({ ...message, ts: typeof message.ts }, { type: 'message', id: 4, room: 'lobby', nick: 'mallory', text: 'odd fields', cid: '', ts: 'number', via: null, node: null });
    conn.emit('data', JSON.stringify({ type: 'say', room: 'lobby', nick: 'page', text: 'and ours', cid: 'c1' }));
    assert.deepEqual(messages().map((m) => [m.text, m.via, m.node]), [['odd fields', null, null], ['and ours', 'websocket', 'n1']]);
  });
});
