// The demo, driven as a person would: two pages on two forced transports chat both ways, then
// the resilience buttons are pressed and the chat must carry on. Runs the real demo server
// (demo/server.mjs) on a random port and Debian's Chromium; needs `npm run build` first.
//
//   npm run test:demo        (screenshots land in artifacts/, which git ignores)
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemoServer } from '../../demo/server.mjs';
import { ENGINE, launchBrowser } from '../support/engine.mjs';
import { isConsoleReport } from '../support/test-page.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ARTIFACTS = path.join(ROOT, 'artifacts');
const WAIT = 30000; // bound of every wait for the page; only a broken demo (or a badly overloaded machine) reaches it
const OFFLINE_WAIT = 40000; // 5 s offline, then backoff of at most 5 s between attempts

// What the browser itself logs when a request or a WebSocket is cut on purpose (drop, block,
// offline): expected after a fault, never before one. Anything else fails the test. Chromium's
// words first, then Firefox's (which WebDriver BiDi passes on as page errors: see isConsoleReport).
const CUT_REQUEST = new RegExp(
  [
    /net::ERR_|WebSocket connection to '[^']*\/chat\/[^']*' failed/,
    /^Firefox can.t establish a connection to the server at ws:\/\/\S*\/chat\//,
    /^The connection to ws:\/\/\S*\/chat\/\S* was interrupted/,
    /^Cross-Origin Request Blocked: .*\/chat\/.*\(Reason: CORS request did not succeed\)/,
  ]
    .map((pattern) => pattern.source)
    .join('|'),
);

describe('demo: a live chat over resock', function () {
  this.timeout(120000);
  let demo;
  let browser;
  let userDataDir;
  const pages = [];

  before(async function () {
    if (!existsSync(path.join(ROOT, 'dist', 'resock.min.js')) || !existsSync(path.join(ROOT, 'dist', 'esm', 'index.js'))) {
      throw new Error('dist/ is not built: run `npm run build` first');
    }
    demo = await startDemoServer({ port: 0 });
    userDataDir = await mkdtemp(path.join(os.tmpdir(), `resock-demo-${ENGINE}-`));
    browser = await launchBrowser({ userDataDir });
  });

  after(async function () {
    if (browser) await browser.close();
    if (demo) await demo.close();
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
  });

  /** Opens the demo in a fresh incognito context (its own sessionStorage), or in `context` (another tab of it), and waits for 'open'. */
  async function openDemo(query, { file = '', viewport = { width: 1280, height: 900 }, server = demo, context = null } = {}) {
    context ||= await browser.createBrowserContext();
    const page = await context.newPage();
    await page.setViewport(viewport);
    const record = { page, pageErrors: [], consoleErrors: [], faulted: false };
    pages.push(record);
    const consoleError = (type, text) => {
      if (record.faulted && CUT_REQUEST.test(text)) return;
      record.consoleErrors.push(`${type}: ${text}`);
    };
    page.on('pageerror', (error) => {
      if (isConsoleReport(error)) consoleError('error', error.message);
      else record.pageErrors.push(error.stack || error.message);
    });
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warn') consoleError(message.type(), message.text());
    });
    await page.goto(`${server.url}${file}?${new URLSearchParams(query)}`, { waitUntil: 'load' });
    await waitOpen(record);
    return record;
  }

  /** The badge and the latest timeline entries, to explain a failure. */
  const pageState = (record) =>
    record.page
      .evaluate(() => {
        const badge = document.getElementById('badge').textContent.trim().replace(/\s+/g, ' ');
        const events = [...document.querySelectorAll('#timeline li')].slice(0, 10).map((li) => li.textContent);
        return `badge: ${badge}; timeline (newest first): ${events.join(' | ')}`;
      })
      .catch((error) => `(page state unknown: ${error.message})`);

  async function waitFor(record, fn, what, timeout = WAIT, ...args) {
    try {
      await record.page.waitForFunction(fn, { timeout, polling: 25 }, ...args);
    } catch (error) {
      const errors = record.pageErrors.concat(record.consoleErrors).join(' | ') || 'none';
      throw new Error(`timed out waiting for ${what} (${error.message}); ${await pageState(record)}; errors: ${errors}`);
    }
  }

  const waitOpen = (record, timeout) =>
    waitFor(record, () => document.getElementById('badge')?.dataset.state === 'open' && !!window.demo?.client?.transport, "the badge to say 'open'", timeout);

  const transportOf = (record) => record.page.$eval('#badge-transport', (el) => el.textContent);

  /** Types and sends a message; resolves with the status the page gave it ('queued', 'sent'…). */
  async function say(record, text) {
    const { page } = record;
    await page.$eval('#composer-input', (input) => (input.value = '')); // whatever an earlier failure left
    await page.focus('#composer-input');
    await page.keyboard.type(text);
    await page.keyboard.press('Enter');
    return page.evaluate((t) => {
      const own = [...document.querySelectorAll('#messages li.mine')].filter((li) => li.querySelector('.text').textContent === t);
      return own.length ? own[own.length - 1].dataset.status : 'missing';
    }, text);
  }

  /**
   * Arms the page to send `texts` through the composer the moment the badge leaves 'open', and
   * to record every state the badge shows from then on. Done in the page, so that the messages are surely
   * typed while the link is down, however slow this test process is. `armed()` tells the result.
   */
  const armSendWhileDown = (record, texts) =>
    record.page.evaluate((list) => {
      const badge = document.getElementById('badge');
      const seen = (window.seenByTest = { states: [], statuses: [], badgeText: '', queued: '' });
      new MutationObserver(() => {
        const state = badge.dataset.state;
        // The badge is re-rendered all the time: keep changes only, from the first non-open state.
        if ((seen.states.length || state !== 'open') && seen.states[seen.states.length - 1] !== state) seen.states.push(state);
        if (state === 'open' || seen.badgeText) return;
        seen.badgeText = document.getElementById('badge-text').textContent;
        for (const text of list) {
          document.getElementById('composer-input').value = text;
          document.getElementById('composer').requestSubmit();
          seen.statuses.push(document.querySelector('#messages li.mine:last-of-type').dataset.status);
        }
        seen.queued = document.getElementById('fact-queued').textContent;
      }).observe(badge, { attributes: true, attributeFilter: ['data-state'] });
    }, texts);
  const armed = (record) => record.page.evaluate(() => window.seenByTest);

  const countOf = (record, text) =>
    record.page.evaluate((t) => [...document.querySelectorAll('#messages .text')].filter((el) => el.textContent === t).length, text);

  /** Waits until `text` is shown on `record` as delivered, with the sender's transport. */
  const arrives = (record, text, via) =>
    waitFor(
      record,
      (t, v) =>
        [...document.querySelectorAll('#messages li')].some(
          (li) => li.querySelector('.text').textContent === t && li.dataset.status === 'delivered' && (!v || li.querySelector('.via').textContent === `via ${v}`),
        ),
      `"${text}" to arrive${via ? ` via ${via}` : ''}`,
      WAIT,
      text,
      via,
    );

  function assertNoErrors(record) {
    assert.deepEqual(record.pageErrors, [], 'uncaught errors in the page');
    assert.deepEqual(record.consoleErrors, [], 'console errors or warnings in the page');
  }

  let alice;
  let bob;

  it('two pages on two forced transports (websocket, xhr-polling) chat both ways', async function () {
    alice = await openDemo({ transport: 'websocket', nick: 'alice' });
    bob = await openDemo({ transport: 'xhr-polling', nick: 'bob' });
    assert.equal(await transportOf(alice), 'websocket');
    assert.equal(await transportOf(bob), 'xhr-polling');
    await waitFor(alice, () => document.getElementById('members').textContent.includes('bob (xhr-polling)'), 'bob in the member list');

    // Sent at once (and, over loopback, perhaps already echoed): not queued.
    assert.notEqual(await say(alice, 'Hello Bob, over WebSocket 👋'), 'queued');
    await arrives(bob, 'Hello Bob, over WebSocket 👋', 'websocket');
    assert.notEqual(await say(bob, 'Hi Alice — long-polling here <b>not bold</b>'), 'queued');
    await arrives(alice, 'Hi Alice — long-polling here <b>not bold</b>', 'xhr-polling');
    assert.equal(await alice.page.$eval('#messages', (el) => el.querySelectorAll('b').length), 0, 'text is shown as text');
    // Whoever knows a page's client id can work its fault switches: a message must not tell it.
    const aliceId = await alice.page.evaluate(() => window.demo.clientId);
    const cids = await bob.page.$$eval('#messages li', (items) => items.map((li) => li.dataset.cid));
    assert.ok(cids.length && cids.every((cid) => cid && !cid.includes(aliceId)), `alice's client id ${aliceId} in the cids bob sees: ${cids}`);
    await waitFor(alice, () => /ms$/.test(document.getElementById('rtt-now').textContent), 'a round-trip sample');
    assertNoErrors(alice);
    assertNoErrors(bob);
  });

  for (const [who, other, transport] of [['alice', 'bob', 'websocket'], ['bob', 'alice', 'xhr-polling']]) {
    it(`"drop my connection" on ${transport}: reconnecting, then open; a message typed meanwhile arrives once`, async function () {
      const me = who === 'alice' ? alice : bob;
      const them = other === 'alice' ? alice : bob;
      me.faulted = true;
      const text = `typed during the drop on ${transport}`;
      await armSendWhileDown(me, [text]);
      await me.page.click('#drop');
      await waitFor(me, () => window.seenByTest.states.includes('open'), 'the badge to come back to open');
      await waitOpen(me);
      const { states, statuses, badgeText } = await armed(me);
      assert.deepEqual([states[0], states[states.length - 1]], ['reconnecting', 'open'], `badge states: ${states}`);
      assert.match(badgeText, /^reconnecting in \d+\.\d s$/);
      assert.deepEqual(statuses, ['queued'], 'sent while the link was down, so resock queued it');
      assert.equal(await transportOf(me), transport, await pageState(me));
      await arrives(them, text, transport);
      await arrives(me, text);
      // Anything sent later arrives after it; by then a duplicate would have arrived too.
      const after = `after the drop on ${transport}`;
      await say(me, after);
      await arrives(them, after);
      assert.equal(await countOf(them, text), 1, `"${text}" arrived once at ${other}`);
      assert.equal(await countOf(me, text), 1, `"${text}" shown once at ${who}`);
      const timeline = await me.page.$eval('#timeline', (el) => el.textContent);
      assert.match(timeline, /link lost: \d+/);
      assert.match(timeline, /flushed 1 queued message/);
    });
  }

  it('"block WebSocket" ends on a non-WebSocket transport, and the chat goes on', async function () {
    await alice.page.select('#transport-picker', 'auto');
    await waitFor(alice, () => window.demo.client.transport === 'websocket' && document.getElementById('badge').dataset.state === 'open', 'auto to open a WebSocket');
    alice.faulted = true;
    await alice.page.click('#block-ws');
    await waitFor(
      alice,
      () => document.getElementById('badge').dataset.state === 'open' && !['', '—', 'websocket'].includes(document.getElementById('badge-transport').textContent),
      'an open link on another transport',
    );
    assert.equal(await alice.page.$eval('#block-ws', (el) => el.getAttribute('aria-pressed')), 'true');
    const timeline = await alice.page.$eval('#timeline', (el) => el.textContent);
    assert.match(timeline, /refused your WebSocket upgrade/, "the server's report of the refused upgrade");
    assert.match(timeline, /websocket failed: \d+/, "resock's report of the failed transport");
    const fallback = await transportOf(alice);
    await say(alice, `now on ${fallback}`);
    await arrives(bob, `now on ${fallback}`, fallback);
  });

  it('"block WebSocket" with websocket the only transport: the page says how out, and auto then connects', async function () {
    const jack = await openDemo({ transport: 'websocket', nick: 'jack' });
    jack.faulted = true;
    await jack.page.click('#block-ws');
    await waitFor(jack, () => document.getElementById('block-ws-hint').classList.contains('stuck'), 'the way out, by the button');
    assert.match(await jack.page.$eval('#block-ws-hint', (el) => el.textContent), /only transport picked: nothing can connect\. Pick another transport/);
    assert.match(await jack.page.$eval('#timeline', (el) => el.textContent), /only transport picked: nothing can connect/);
    await jack.page.select('#transport-picker', 'auto');
    await waitFor(jack, () => document.getElementById('badge').dataset.state === 'open' && !['', '—', 'websocket'].includes(window.demo.client.transport), 'auto to open another transport');
    assert.equal(await jack.page.$eval('#block-ws-hint', (el) => el.classList.contains('stuck')), false);
    await jack.page.browserContext().close();
  });

  it('"go offline for 5 s": messages typed meanwhile wait, then arrive once', async function () {
    bob.faulted = true;
    const texts = ['offline one', 'offline two'];
    await armSendWhileDown(bob, texts);
    await bob.page.click('#offline');
    await waitFor(bob, () => window.seenByTest.states.includes('open'), 'the link to come back', OFFLINE_WAIT);
    await waitOpen(bob);
    const { statuses, queued } = await armed(bob);
    assert.deepEqual(statuses, ['queued', 'queued']);
    assert.equal(queued, '2 messages');
    for (const text of texts) await arrives(alice, text, 'xhr-polling');
    await say(bob, 'back online');
    await arrives(alice, 'back online');
    for (const text of texts) assert.equal(await countOf(alice, text), 1, `"${text}" arrived once`);
    const order = await alice.page.evaluate(() => [...document.querySelectorAll('#messages .text')].map((el) => el.textContent));
    assert.ok(order.indexOf('offline one') < order.indexOf('offline two'), 'in the order typed');
  });

  it('the ES module page works on the remaining transports (xhr-streaming, eventsource, jsonp-polling)', async function () {
    for (const transport of ['xhr-streaming', 'eventsource', 'jsonp-polling']) {
      const carol = await openDemo({ transport, nick: `carol-${transport}` }, { file: 'esm.html' });
      assert.equal(await transportOf(carol), transport);
      assert.match(await carol.page.$eval('.variant', (el) => el.textContent), /import \{ Resock \}/);
      await say(carol, `hello over ${transport}`);
      await arrives(alice, `hello over ${transport}`, transport);
      await say(alice, `welcome, ${transport}`);
      await arrives(carol, `welcome, ${transport}`);
      assertNoErrors(carol);
      await carol.page.browserContext().close();
    }
  });

  /**
   * Clicks a room in the list. The list is drawn anew on every presence update, so a button found
   * by a mouse click's look-up can be replaced before the click lands: click the current one.
   */
  const clickRoom = (record, room) =>
    record.page.evaluate((name) => document.querySelector(`[data-room="${CSS.escape(name)}"]`).click(), room);

  it('rooms: a message stays in its room, and joining a room shows its history', async function () {
    await alice.page.type('#new-room-name', 'Side Room');
    await alice.page.keyboard.press('Enter');
    await waitFor(alice, () => document.getElementById('room-title').textContent === '#side-room', 'alice in #side-room');
    await say(alice, 'only for #side-room');
    await arrives(alice, 'only for #side-room');
    await waitFor(bob, () => !!document.querySelector('[data-room="side-room"]'), '#side-room in bob\'s room list');
    assert.equal(await countOf(bob, 'only for #side-room'), 0, 'not shown in #lobby');
    await clickRoom(bob, 'side-room');
    await arrives(bob, 'only for #side-room'); // from the history the server sends on join
    await waitFor(alice, () => document.getElementById('members').textContent.includes('bob (xhr-polling)'), 'bob in #side-room');
    for (const record of [alice, bob]) {
      await clickRoom(record, 'lobby');
      await waitFor(record, () => document.getElementById('room-title').textContent === '#lobby', 'back in #lobby');
    }
  });

  it('a busy room: the page keeps its last 300 messages on screen, not every one it ever got', async function () {
    const ivan = await openDemo({ nick: 'ivan', room: 'busy' });
    const { WebSocket } = await import('ws');
    const socket = new WebSocket(`${demo.url.replace(/^http/, 'ws')}chat/000/busy/websocket?client=busy-room`);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const frames = [{ type: 'join', room: 'busy', nick: 'chatty', since: 0 }];
    for (let i = 1; i <= 350; i++) frames.push({ type: 'say', room: 'busy', nick: 'chatty', text: `busy ${i}`, cid: `busy-room-${i}` });
    socket.send(JSON.stringify(frames.map((frame) => JSON.stringify(frame))));
    await arrives(ivan, 'busy 350');
    socket.close();
    const shown = await ivan.page.$$eval('#messages .text', (items) => items.map((el) => el.textContent));
    assert.equal(shown.length, 300, 'messages on screen');
    assert.deepEqual([shown[0], shown[299]], ['busy 51', 'busy 350']);
    assertNoErrors(ivan);
    await ivan.page.browserContext().close();
  });

  it('reads on a phone-width screen', async function () {
    const phone = { width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
    const dave = await openDemo({ nick: 'dave' }, { viewport: phone });
    await arrives(dave, 'back online');
    const overflow = await dave.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling at phone width (${overflow}px too wide)`);
    await mkdir(ARTIFACTS, { recursive: true });
    await dave.page.screenshot({ path: path.join(ARTIFACTS, 'demo-phone.png'), fullPage: true });
    assertNoErrors(dave);
  });

  it('"shared": three tabs of one browser show 1 connection, 3 tabs and who leads; the leader closed, another takes over', async function () {
    const shared = (record) => record.page.evaluate(() => window.demo.sharing);
    const sees = (record, tabs, what) =>
      waitFor(record, (n) => window.demo.sharing && window.demo.sharing.links === 1 && window.demo.sharing.tabs === n && !!window.demo.sharing.leader && document.getElementById('fact-shared').textContent === `1 connection, ${n} tabs`, what, WAIT, tabs);
    const first = await openDemo({ shared: '1', nick: 'tab-one' });
    const context = first.page.browserContext();
    const tabs = [first, await openDemo({ shared: '1', nick: 'tab-two' }, { context }), await openDemo({ shared: '1', nick: 'tab-three' }, { context })];
    for (const record of tabs) await sees(record, 3, '"1 connection, 3 tabs" and a known leader');
    // The tabs share a client id: each tab's messages still arrive, none taken for another's copy.
    for (const [i, record] of tabs.entries()) await say(record, `from shared tab ${i + 1}`);
    for (const record of tabs) for (const i of [1, 2, 3]) await arrives(record, `from shared tab ${i}`);
    const states = await Promise.all(tabs.map(shared));
    assert.deepEqual(states.map((s) => s.role).sort(), ['follower', 'follower', 'leader']);
    const leader = tabs[states.findIndex((s) => s.role === 'leader')];
    const leaderName = states.find((s) => s.role === 'leader').name;
    assert.deepEqual(states.map((s) => s.leader), [leaderName, leaderName, leaderName], 'every tab names the same leader');
    assert.equal(await leader.page.$eval('#fact-role', (el) => el.textContent), `${leaderName} (this tab) leads`);
    await mkdir(ARTIFACTS, { recursive: true });
    await tabs.find((t) => t !== leader).page.screenshot({ path: path.join(ARTIFACTS, 'demo-shared.png') });

    leader.faulted = true; // its requests are cut as it closes
    await leader.page.close();
    const rest = tabs.filter((t) => t !== leader);
    for (const record of rest) await sees(record, 2, '"1 connection, 2 tabs" after the leader left');
    const after = await Promise.all(rest.map(shared));
    assert.deepEqual(after.map((s) => s.role).sort(), ['follower', 'leader']);
    assert.notEqual(after[0].leader, leaderName, 'another tab leads');
    assert.equal(after[0].leader, after[1].leader);
    // And the chat goes on through the new leader's link.
    for (const record of rest) await waitOpen(record);
    assert.notEqual(await say(rest[0], 'after the hand-over'), 'queued', 'the link was open');
    for (const record of rest) await arrives(record, 'after the hand-over');
    // A follower that picks a transport still uses the leader's link: the panel must not call it forced.
    const follower = rest.find((record, i) => after[i].role === 'follower');
    await follower.page.select('#transport-picker', 'jsonp-polling');
    await waitFor(follower, () => window.demo.client.sharing === 'follower' && document.getElementById('fact-how').textContent === "the leading tab's link", "the panel to name the leader's link");
    await waitOpen(follower);
    await rest[1].page.screenshot({ path: path.join(ARTIFACTS, 'demo-shared-after.png') });
  });

  it('a room the server cannot open: the page says so and goes back, and what was said there is not left "sent"', async function () {
    const small = await startDemoServer({ port: 0, maxRooms: 3 }); // the three default rooms, no more
    let gina;
    try {
      gina = await openDemo({ nick: 'gina' }, { server: small });
      await gina.page.evaluate(() => {
        document.getElementById('new-room-name').value = 'full house';
        document.getElementById('new-room').requestSubmit();
        document.getElementById('composer-input').value = 'said in the room that is not';
        document.getElementById('composer').requestSubmit();
      });
      await waitFor(gina, () => /^Not sent: #full-house cannot be opened/.test(document.getElementById('composer-note').textContent), 'the refusal in the note');
      await waitFor(gina, () => document.getElementById('room-title').textContent === '#lobby', 'back in #lobby');
      assert.equal(await gina.page.$eval('#fact-unconfirmed', (el) => el.textContent), '0', 'no message waits for an echo that cannot come');
      assert.match(await gina.page.$eval('#timeline', (el) => el.textContent), /#full-house cannot be opened now/);
      assert.deepEqual(await gina.page.$$eval('#rooms [data-room]', (buttons) => buttons.map((b) => b.dataset.room)), ['lobby', 'transports', 'random']);
      assert.notEqual(await say(gina, 'in the lobby again'), 'queued');
      await arrives(gina, 'in the lobby again');
      assertNoErrors(gina);
    } finally {
      await gina?.page.browserContext().close(); // before its server goes
      await small.close();
    }
  });

  it('has no console errors, and leaves screenshots in artifacts/', async function () {
    for (const record of pages) assertNoErrors(record);
    await mkdir(ARTIFACTS, { recursive: true });
    await alice.page.screenshot({ path: path.join(ARTIFACTS, 'demo-desktop.png') });
    await bob.page.screenshot({ path: path.join(ARTIFACTS, 'demo-desktop-bob.png') });
  });

  it('with a STOMP broker, two demo servers share the #stomp room', async function () {
    const broker = await findBroker();
    const servers = [await startDemoServer({ port: 0, broker }), await startDemoServer({ port: 0, broker })];
    try {
      const erin = await openDemo({ nick: 'erin' }, { server: servers[0] });
      const frank = await openDemo({ nick: 'frank', transport: 'xhr-streaming' }, { server: servers[1], file: 'esm.html' });
      for (const record of [erin, frank]) {
        await waitFor(record, () => !!document.querySelector('[data-room="~stomp"]'), 'the #stomp room in the list');
        await record.page.click('[data-room="~stomp"]');
        await waitFor(record, () => document.getElementById('members').textContent.startsWith('STOMP over'), 'the STOMP session');
      }
      await say(erin, 'from server one, through the broker');
      await arrives(frank, 'from server one, through the broker');
      await arrives(erin, 'from server one, through the broker'); // our own copy, back from the topic
      await say(frank, 'and back from server two');
      await arrives(erin, 'and back from server two');
      // Anyone with a STOMP session can publish to the room's topic, and no server checks what.
      const { WebSocket } = await import('ws');
      const hostile = new WebSocket(`${servers[0].url.replace(/^http/, 'ws')}stomp/000/hostile/websocket?client=hostile`);
      await new Promise((resolve, reject) => hostile.once('open', resolve).once('error', reject));
      const body = JSON.stringify({ nick: 'mallory', text: 'a time that is no time', ts: 'never', via: { toString: 1 }, cid: { toString: 1 } });
      hostile.send(JSON.stringify(['CONNECT\naccept-version:1.2\n\n\0', `SEND\ndestination:/topic/resock-demo.chat\ncontent-type:application/json\n\n${body}\0`]));
      await arrives(erin, 'a time that is no time');
      hostile.close();
      await clickRoom(erin, 'lobby');
      await clickRoom(erin, '~stomp');
      await waitFor(erin, () => [...document.querySelectorAll('#messages .text')].some((el) => el.textContent === 'and back from server two'), '#stomp drawn again');
      assertNoErrors(erin);
      assertNoErrors(frank);
      await erin.page.setViewport({ width: 1500, height: 950 });
      await mkdir(ARTIFACTS, { recursive: true });
      await erin.page.screenshot({ path: path.join(ARTIFACTS, 'demo-stomp.png') });
    } finally {
      await Promise.all(servers.map((server) => server.close()));
    }
  });
});

describe('demo server: the links of one page', function () {
  this.timeout(30000);
  let demo;
  before(async () => (demo = await startDemoServer({ port: 0 })));
  after(() => demo?.close());

  /** A raw SockJS WebSocket session of page `client`: its chat messages, and `say`. */
  async function link(client, session) {
    const { WebSocket } = await import('ws');
    const socket = new WebSocket(`${demo.url.replace(/^http/, 'ws')}chat/000/${session}/websocket?client=${client}`);
    const messages = [];
    const waiters = new Set();
    socket.on('message', (data) => {
      const frame = String(data);
      if (frame[0] === 'a') messages.push(...JSON.parse(frame.slice(1)).map((m) => JSON.parse(m)));
      for (const wake of waiters) wake();
    });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const waitFor = (type) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find((m) => m.type === type);
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no '${type}' on session ${session}: got ${messages.map((m) => m.type).join(', ') || 'nothing'}`));
        }, 10000);
        waiters.add(check);
        check();
      });
    return { waitFor, say: (message) => socket.send(JSON.stringify([JSON.stringify(message)])), close: () => socket.close() };
  }

  it("a page's raced transports: the loser's session arrives after the winner's, and the winner is still heard", async function () {
    // resock starts HTTP streaming beside a slow WebSocket; the WebSocket can win while the
    // streaming session still reaches the server after it. The page then speaks over the winner.
    const winner = await link('racer', 'winner');
    await winner.waitFor('welcome');
    const loser = await link('racer', 'loser');
    await loser.waitFor('welcome');
    winner.say({ type: 'join', room: 'lobby', nick: 'racer', since: 0 });
    assert.equal((await winner.waitFor('joined')).room, 'lobby');
    loser.close(); // the page closes the loser: the winner stays the page's link
    winner.say({ type: 'ping', t: 1 });
    assert.equal((await winner.waitFor('pong')).t, 1);
    winner.close();
  });
});

/**
 * The STOMP broker for the shared room: RESOCK_DEMO_BROKER if set, else the RabbitMQ of the
 * broker tests on 127.0.0.1:61613 (the suite starts it: scripts/rabbitmq.sh). Throws when none answers.
 */
async function findBroker() {
  const broker = process.env.RESOCK_DEMO_BROKER || '127.0.0.1:61613';
  const [host, port] = [broker.slice(0, broker.lastIndexOf(':')), Number(broker.slice(broker.lastIndexOf(':') + 1))];
  const net = await import('node:net');
  const answers = await new Promise((resolve) => {
    const socket = net.connect(port, host);
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
  if (!answers) throw new Error(`No STOMP broker at ${broker}: npm run test:demo starts RabbitMQ (scripts/rabbitmq.sh), or set RESOCK_DEMO_BROKER`);
  return broker;
}
