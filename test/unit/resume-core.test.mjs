// The pure client core of resumable sessions (issue 13): codec, handshake, acks, bounds,
// liveness, all on a fake clock. The server side of each exchange is written out by hand here;
// resume-session.test.mjs pairs the core with the real companion.
import assert from 'node:assert/strict';
import { ResumeCore } from '../../dist/esm/resume/index.js';
import { add, emptyOutbox } from '../../dist/esm/resume/outbox.js';
import { decodeHello, decodeMessage, decodeWelcome, encodeHello, encodeWelcome } from '../../dist/esm/resume/wire.js';
import { fakeClock } from './fakes.mjs';

function setup(options = {}) {
  const clock = fakeClock();
  const wire = [];
  const events = [];
  const core = new ResumeCore({ clock, send: (batch) => wire.push(batch), onEvent: (e) => events.push(e), ...options });
  /** Everything sent since the last call, one array per batch. */
  const sent = () => wire.splice(0);
  return { clock, core, sent, events };
}
const TOKEN = 'inst.AAAAAAAAAAAAAAAAAAAAAA';
const NEXT = 'inst.BBBBBBBBBBBBBBBBBBBBBB';

describe('resume wire codec', () => {
  it('round-trips hellos, welcomes and messages', () => {
    assert.deepEqual(decodeHello(encodeHello(null, 0)), { token: null, received: 0 });
    assert.deepEqual(decodeHello(encodeHello(TOKEN, 42)), { token: TOKEN, received: 42 });
    for (const welcome of [{ kind: 'resumed', token: TOKEN, received: 7 }, { kind: 'fresh', token: TOKEN, reason: 'window' }]) {
      assert.deepEqual(decodeWelcome(encodeWelcome(welcome)), welcome);
    }
    assert.deepEqual(decodeMessage('d'), { kind: 'data', data: '' });
    assert.deepEqual(decodeMessage('dk12 ~resumed'), { kind: 'data', data: 'k12 ~resumed' });
    assert.deepEqual(decodeMessage('k12'), { kind: 'ack', count: 12 });
    assert.deepEqual(decodeMessage('p0'), { kind: 'ping', count: 0 });
    assert.deepEqual(decodeMessage('n3'), { kind: 'next', count: 3 });
  });

  it('rejects what breaks the protocol instead of guessing', () => {
    for (const raw of ['', 'x1', 'k', 'k-1', 'k01', 'k1.5', 'k99999999999999999', 'n 1', 'p1 ']) assert.equal(decodeMessage(raw), undefined, raw);
    assert.equal(decodeHello('hello'), undefined);
    for (const raw of ['~resume1 ', '~resume1 - x', '~resume1 a/b 1', '~resume1 - 1 2', '~resume1 -  1']) assert.equal(decodeHello(raw), 'invalid', raw);
    for (const raw of ['~resumed t', '~resumed t -1', '~fresh t', '~fresh t Bad', '~fresh t new x', '~fresh  new']) assert.equal(decodeWelcome(raw), 'invalid', raw);
    assert.equal(decodeWelcome('welcome to the chat'), undefined);
    assert.deepEqual(decodeWelcome('~fresh t some-future-reason'), { kind: 'fresh', token: 't', reason: 'some-future-reason' });
  });
});

describe('ResumeCore handshake', () => {
  it('says hello first, holds messages until the welcome, then numbers them from 1', () => {
    const { core, sent, events } = setup();
    assert.equal(core.send(['early']), 1);
    core.linkUp();
    assert.deepEqual(sent(), [['~resume1 - 0']]);
    assert.deepEqual(core.receive(encodeWelcome({ kind: 'fresh', token: TOKEN, reason: 'new' })), []);
    assert.deepEqual(sent(), [['n1', 'dearly']]);
    assert.deepEqual(events, [{ kind: 'fresh', reason: 'new', unconfirmed: [], token: TOKEN }]);
    core.send(['a', 'b']);
    assert.deepEqual(sent(), [['n2', 'da', 'db']], 'every batch says where it starts (a POST may be sent twice)');
  });

  it('on a WebSocket link (linkUp(false)) marks only the first batch of the link', () => {
    const { core, sent } = setup();
    core.linkUp(false);
    core.receive(encodeWelcome({ kind: 'fresh', token: TOKEN, reason: 'new' }));
    core.send(['a']);
    core.send(['b']);
    assert.deepEqual(sent(), [['~resume1 - 0'], ['n1', 'da'], ['db']]);
    core.linkLost();
    core.linkUp(false);
    core.receive(encodeWelcome({ kind: 'resumed', token: NEXT, received: 1 }));
    assert.deepEqual(sent(), [[`~resume1 ${TOKEN} 0`], ['n2', 'db']], 'again once on the next link');
  });

  for (const [why, answer, delivered] of [
    ['echo', (hello) => hello, []],
    ['message', () => 'welcome to the chat', ['welcome to the chat']],
  ]) {
    it(`falls back to plain mode for good when the server answers the hello with ${why === 'echo' ? 'its echo' : 'an app message'}`, () => {
      const { core, sent, events } = setup();
      core.send(['queued']);
      core.linkUp();
      const [[hello]] = sent();
      assert.deepEqual(core.receive(answer(hello)), delivered);
      assert.equal(core.plain, true);
      assert.deepEqual(sent(), [['queued']], 'what waited goes out plain');
      assert.deepEqual(events, [{ kind: 'unsupported', why, unconfirmed: [] }]);
      core.send(['x']);
      assert.deepEqual(sent(), [['x']]);
      assert.deepEqual(core.receive('dnot-a-tag'), ['dnot-a-tag']);
      core.linkLost();
      assert.equal(core.send(['y']), 0, 'no link, nothing taken: the caller keeps it');
      core.linkUp();
      assert.deepEqual(sent(), [], 'no hello on later links');
      assert.deepEqual(events.at(-1), { kind: 'drain' });
    });
  }

  it('falls back after helloTimeout of silence, and sends what it holds on the next link, not on this one', () => {
    const { core, clock, sent, events } = setup({ helloTimeout: 500 });
    core.send(['held']);
    core.linkUp();
    sent();
    clock.tick(499);
    assert.equal(core.plain, false);
    clock.tick(1);
    assert.deepEqual(events, [{ kind: 'unsupported', why: 'timeout', unconfirmed: [] }]);
    // A late welcome would make the server read plain messages as tagged ones ('dheld' as 'held'…).
    assert.equal(core.send(['more']), 0, 'this link takes nothing: the caller keeps it');
    assert.deepEqual(sent(), []);
    core.linkLost();
    core.linkUp();
    assert.deepEqual(sent(), [['held']], 'no hello, the held message plain');
  });

  it('resumes: presents token and count, drops what the server has, re-sends the rest after a next marker', () => {
    const { core, sent, events } = setup();
    core.linkUp();
    core.receive(encodeWelcome({ kind: 'fresh', token: TOKEN, reason: 'new' }));
    core.send(['m1', 'm2', 'm3']);
    ['n1', 'dx', 'dy'].forEach((m) => core.receive(m));
    sent();
    core.linkLost();
    core.send(['m4']);
    assert.deepEqual(sent(), [], 'nothing goes out without a link');
    core.linkUp();
    assert.deepEqual(sent(), [[`~resume1 ${TOKEN} 2`]]);
    core.receive(encodeWelcome({ kind: 'resumed', token: NEXT, received: 1 }));
    assert.deepEqual(sent(), [['n2', 'dm2', 'dm3', 'dm4']], 'no ack: the hello said what was received');
    assert.deepEqual(events.at(-1), { kind: 'resumed', token: NEXT });
    core.linkLost();
    core.linkUp();
    assert.deepEqual(sent(), [[`~resume1 ${NEXT} 2`]], 'the rotated token');
  });

  it('speaks at once on a resumed link, so the server can retire the previous token: the re-sent batch, else an ack of what the hello said', () => {
    const { core, sent } = setup();
    core.linkUp();
    core.receive(encodeWelcome({ kind: 'fresh', token: TOKEN, reason: 'new' }));
    core.send(['m1']);
    ['n1', 'dx'].forEach((m) => core.receive(m));
    core.linkLost();
    core.linkUp();
    sent();
    core.receive(encodeWelcome({ kind: 'resumed', token: NEXT, received: 0 }));
    assert.deepEqual(sent(), [['n1', 'dm1']], 'the re-sent batch: no ack of its own');
    core.receive('k1');
    core.linkLost();
    core.linkUp();
    sent();
    core.receive(encodeWelcome({ kind: 'resumed', token: TOKEN, received: 1 }));
    assert.deepEqual(sent(), [['k1']], 'nothing to re-send: an ack');
  });

  it('tells of a resume before it writes on the link (the tabs of a shared link learn the new token first), and writes nothing on a link the listener dropped', () => {
    for (const drop of [false, true]) {
      const order = [];
      const context = setup({ send: (batch) => order.push(batch), onEvent: (e) => (order.push(e.kind), drop && e.kind === 'resumed' && core.linkLost()) });
      const { core } = context;
      core.linkUp();
      core.receive(encodeWelcome({ kind: 'fresh', token: TOKEN, reason: 'new' }));
      core.send(['m1']);
      core.linkLost();
      core.linkUp();
      order.length = 0;
      core.receive(encodeWelcome({ kind: 'resumed', token: NEXT, received: 0 }));
      assert.deepEqual(order, drop ? ['resumed'] : ['resumed', ['n1', 'dm1']], `dropped: ${drop}`);
    }
  });

  it('drops duplicates the server re-sends, by number, and treats a gap as an error', () => {
    const { core, events } = setup();
    core.linkUp();
    core.receive(encodeWelcome({ kind: 'fresh', token: TOKEN, reason: 'new' }));
    const got = ['n1', 'da', 'db', 'n2', 'db', 'dc'].flatMap((m) => core.receive(m));
    assert.deepEqual(got, ['a', 'b', 'c']);
    assert.deepEqual(core.receive('n5'), []);
    assert.equal(events.at(-1).kind, 'error');
    assert.equal(events.at(-1).error.name, 'ResumeProtocolError');
    assert.deepEqual(core.receive('dlate'), [], 'nothing is taken from a link reported broken');
  });

  it('reports a fresh session with the messages the old one may have missed, and numbers the unsent from 1', () => {
    const { core, sent, events } = setup();
    core.linkUp();
    core.receive(encodeWelcome({ kind: 'fresh', token: TOKEN, reason: 'new' }));
    core.send(['m1', 'm2']);
    core.receive('k1');
    core.linkLost();
    core.send(['m3']);
    core.linkUp();
    sent();
    core.receive(encodeWelcome({ kind: 'fresh', token: NEXT, reason: 'restarted' }));
    assert.deepEqual(events.at(-1), { kind: 'fresh', reason: 'restarted', unconfirmed: ['m2'], token: NEXT });
    assert.deepEqual(sent(), [['n1', 'dm3']]);
  });

  it('refuses acks and resumes that do not match what was sent', () => {
    for (const raw of ['k3', 'p3', encodeWelcome({ kind: 'resumed', token: NEXT, received: 3 })]) {
      const { core, events } = setup();
      core.linkUp();
      core.receive(encodeWelcome({ kind: 'fresh', token: TOKEN, reason: 'new' }));
      core.send(['m1', 'm2']);
      if (raw.startsWith('~')) core.linkLost(), core.linkUp();
      core.receive(raw);
      assert.equal(events.at(-1).kind, 'error', raw);
    }
  });

  it('takes a malformed welcome for a broken companion, not for a plain server: a protocol error, nothing delivered, the session kept', () => {
    const bad = [`~resumed ${NEXT} 01`, `~resumed ${NEXT} -1`, `~resumed ${NEXT} 1.0`, `~resumed ${NEXT} 9007199254740992`, `~resumed ${NEXT}`, `~fresh ${NEXT} Bad`, `~fresh ${'t'.repeat(129)} new`, `~fresh a/b new`];
    for (const raw of bad) {
      const { core, sent, events } = setup();
      core.linkUp();
      core.receive(encodeWelcome({ kind: 'fresh', token: TOKEN, reason: 'new' }));
      core.send(['m1']);
      core.linkLost();
      core.linkUp();
      sent();
      assert.deepEqual(core.receive(raw), [], `${raw}: not the app's`);
      assert.equal(core.plain, false, raw);
      assert.equal(events.at(-1).kind, 'error', raw);
      assert.equal(events.at(-1).error.message, 'malformed', raw);
      core.linkUp();
      assert.deepEqual(sent(), [[`~resume1 ${TOKEN} 0`]], `${raw}: the next link resumes as before`);
    }
  });

  it("refuses a resume of a hello that presented no token: the server has no session of this client's to resume", () => {
    for (const forgotten of [false, true]) {
      const { core, sent, events } = setup();
      core.linkUp();
      if (forgotten) {
        // The token is forgotten after an impossible resume: the next link must start fresh.
        core.receive(encodeWelcome({ kind: 'fresh', token: TOKEN, reason: 'new' }));
        core.send(['m1', 'm2']);
        core.receive('n1'), core.receive('dx');
        core.linkLost();
        core.linkUp();
        core.receive(encodeWelcome({ kind: 'resumed', token: NEXT, received: 5 }));
        core.linkUp();
      }
      assert.deepEqual(sent().at(-1), [`~resume1 - ${forgotten ? 1 : 0}`]);
      core.receive(encodeWelcome({ kind: 'resumed', token: NEXT, received: 0 }));
      assert.equal(events.at(-1).kind, 'error', `forgotten: ${forgotten}`);
      assert.equal(events.at(-1).error.message, 'resumed');
      assert.deepEqual(sent(), [], 'nothing written on that link');
    }
  });

  it('treats a next marker of 0 as an error: numbers start at 1, and n0 would drop a new message as a duplicate', () => {
    const { core, events } = setup();
    core.linkUp();
    core.receive(encodeWelcome({ kind: 'fresh', token: TOKEN, reason: 'new' }));
    assert.deepEqual(['n1', 'da'].flatMap((m) => core.receive(m)), ['a']);
    assert.deepEqual(core.receive('n0'), []);
    assert.equal(events.at(-1).kind, 'error');
    assert.equal(events.at(-1).error.message, 'gap');
  });

  it('forgets the token after an impossible resume, so the next link starts fresh instead of failing alike forever', () => {
    const { core, sent, events } = setup();
    core.linkUp();
    core.receive(encodeWelcome({ kind: 'fresh', token: TOKEN, reason: 'new' }));
    core.send(['m1', 'm2']);
    core.linkLost();
    core.linkUp();
    core.receive(encodeWelcome({ kind: 'resumed', token: NEXT, received: 5 })); // counted some twice
    assert.equal(events.at(-1).kind, 'error');
    sent();
    core.linkUp();
    assert.deepEqual(sent(), [['~resume1 - 0']]);
    core.receive(encodeWelcome({ kind: 'fresh', token: TOKEN, reason: 'new' }));
    assert.deepEqual(events.at(-1), { kind: 'fresh', reason: 'new', unconfirmed: ['m1', 'm2'], token: TOKEN });
  });
});

describe('ResumeCore acks, bounds and liveness', () => {
  function opened(options) {
    const context = setup(options);
    context.core.linkUp();
    context.core.receive(encodeWelcome({ kind: 'fresh', token: TOKEN, reason: 'new' }));
    context.sent();
    return context;
  }

  it('batches acks: one after ackDelay, or at the end of the task once ackEvery messages are owed', async () => {
    const { core, sent, clock } = opened({ ackDelay: 200, ackEvery: 4 });
    ['n1', 'd1', 'd2'].forEach((m) => core.receive(m));
    clock.tick(199);
    assert.deepEqual(sent(), []);
    clock.tick(1);
    assert.deepEqual(sent(), [['k2']]);
    ['d3', 'd4', 'd5', 'd6', 'd7'].forEach((m) => core.receive(m));
    assert.deepEqual(sent(), [], 'not before the task is done with the messages');
    await Promise.resolve();
    assert.deepEqual(sent(), [['k7']], 'one ack for all the task received');
    clock.tick(1000);
    assert.deepEqual(sent(), [], 'nothing new, no ack');
  });

  it('lets an owed ack ride on outgoing data once it is half due, not in every batch', () => {
    const { core, sent, clock } = opened({ ackDelay: 200, ackEvery: 32 });
    ['n1', 'd1'].forEach((m) => core.receive(m));
    core.send(['a']);
    assert.deepEqual(sent(), [['n1', 'da']], 'too fresh to ride: a round trip pays no ack');
    clock.tick(99);
    core.receive('d2');
    core.send(['b']);
    assert.deepEqual(sent(), [['n2', 'db']]);
    clock.tick(1);
    core.send(['c']);
    assert.deepEqual(sent(), [['k2', 'n3', 'dc']], 'half due: it rides along');
    clock.tick(1000);
    assert.deepEqual(sent(), [], 'and is not sent again on its own');
  });

  it("reads no clock per message: a link's stamp dates what arrives, a timer says when an ack is half due", () => {
    const { core, sent, clock } = opened({ ackDelay: 200, ackEvery: 32 });
    let reads = 0;
    const now = clock.now;
    clock.now = () => (reads++, now());
    ['n1', 'd1', 'd2'].forEach((m) => core.receive(m, now()));
    core.send(['a', 'b']);
    core.receive('d3', now());
    core.send(['c']);
    assert.equal(reads, 0);
    assert.deepEqual(sent(), [['n1', 'da', 'db'], ['n3', 'dc']]);
    clock.tick(100);
    core.send(['e']);
    assert.deepEqual(sent(), [['k3', 'n4', 'de']], 'half due: it rides along');
  });

  it('answers a ping at once, even with nothing new', () => {
    const { core, sent } = opened();
    core.receive('p0');
    assert.deepEqual(sent(), [['k0']]);
  });

  it('takes messages within its bounds only, and says drain once acks make room', () => {
    const { core, sent, events } = opened({ maxMessages: 3, maxBytes: 10 });
    assert.equal(core.send(['aaaa', 'bbbb', 'cccc']), 2, 'bytes bound');
    assert.equal(core.send(['c', 'd']), 1, 'count bound');
    assert.deepEqual(sent(), [['n1', 'daaaa', 'dbbbb'], ['n3', 'dc']]);
    assert.equal(events.at(-1).kind, 'fresh');
    core.receive('k2');
    assert.deepEqual(events.at(-1), { kind: 'drain' });
    assert.equal(core.send(['d']), 1);
  });

  it('bounds by exact UTF-8 bytes, after partial acks too', () => {
    const { core, sent } = opened({ maxMessages: 100, maxBytes: 12 });
    // 'é' is 2 bytes, '€' 3: 2 + 3 + 6 = 11 bytes; one more byte fits, two do not.
    assert.equal(core.send(['é', '€', 'abcdef', 'xy']), 3);
    assert.equal(core.send(['z']), 1, 'exactly up to maxBytes');
    assert.equal(core.send(['z']), 0);
    core.receive('k1'); // 'é' goes: 2 bytes free
    assert.equal(core.send(['€']), 0, '3 bytes do not fit in 2');
    assert.equal(core.send(['éz']), 0);
    assert.equal(core.send(['yz']), 1);
    core.receive('k4'); // '€', 'abcdef', 'z' go: 12 - 2 = 10 free
    assert.equal(core.send(['€€€', 'é']), 1, '9 bytes fit, 2 more do not');
    assert.equal(sent().flat().filter((m) => m[0] === 'd').length, 6);
  });

  it('measures UTF-8 only near the byte bound (measuring reads every character of every message)', () => {
    let reads = 0;
    // A String object counts the characters read one by one; the bound still sees its length.
    const counted = (text) => Object.assign(new String(text), { charCodeAt: (i) => (reads++, text.charCodeAt(i)) });
    const out = emptyOutbox();
    const bounds = { maxMessages: 1e6, maxBytes: 3000 };
    for (let i = 0; i < 10; i++) assert.equal(add(out, counted('x'.repeat(64)), bounds), true);
    assert.equal(reads, 0, 'far from the bound: 3 bytes per character cannot reach it');
    for (let i = 0; i < 50 && add(out, counted('x'.repeat(64)), bounds); i++);
    assert.ok(reads > 0, 'near the bound: measured');
    assert.equal(out.messages.length, 46, 'and exact: 46 × 64 = 2,944 bytes ≤ 3,000');
  });

  it('asks for an ack after pingInterval of silence and reports the link dead after pingTimeout more', () => {
    const { core, sent, clock, events } = opened({ pingInterval: 1000, pingTimeout: 500 });
    clock.tick(999);
    assert.deepEqual(sent(), []);
    clock.tick(1);
    assert.deepEqual(sent(), [['p0']]);
    core.receive('k0');
    clock.tick(1499);
    assert.deepEqual(sent(), [['p0']], 'an answer restarts the watch');
    assert.notEqual(events.at(-1).kind, 'dead');
    clock.tick(1);
    assert.deepEqual(events.at(-1), { kind: 'dead' });
  });

  it('judges silence by timestamps when timers fire late (throttled tab): an unanswered ping is judged at once', () => {
    const { clock, events, sent } = opened({ pingInterval: 1000, pingTimeout: 500 });
    clock.tick(1000);
    assert.deepEqual(sent(), [['p0']]);
    clock.jump(5000);
    clock.tick(0);
    assert.deepEqual(events.at(-1), { kind: 'dead' });
  });

  it('asks before it judges: an idle link whose ping timer fired late (throttled tab) is pinged, not reported dead', () => {
    const { core, clock, events, sent } = opened({ pingInterval: 1000, pingTimeout: 500 });
    clock.jump(60000);
    clock.tick(0);
    assert.deepEqual(sent(), [['p0']], 'nobody asked the server during the silence: ask now');
    assert.notEqual(events.at(-1).kind, 'dead');
    core.receive('k0');
    clock.jump(60000);
    clock.tick(0);
    assert.deepEqual(sent(), [['p0']]);
    clock.tick(499);
    assert.notEqual(events.at(-1).kind, 'dead');
    clock.tick(1);
    assert.deepEqual(events.at(-1), { kind: 'dead' }, 'unanswered for pingTimeout: dead');
  });
});
