// One case list, run against each server peer (sockjs-node, sockjs-go) over every transport in
// turn (forced with the `transports` option), then, against sockjs-node, once more for the HTTP
// transports with ReadableStream deleted, so that the XMLHttpRequest readers run instead of
// fetch streams.
import assert from 'node:assert/strict';
import { openPage } from '../support/browser.mjs';
import { ENGINE } from '../support/engine.mjs';
import { SERVER_PEERS } from '../support/server-peers.mjs';

const HTTP_TRANSPORTS = ['xhr-streaming', 'eventsource', 'xhr-polling', 'jsonp-polling'];
const serverVariants = ['websocket', ...HTTP_TRANSPORTS].map((transport) => ({ transport, deleteGlobals: [] }));
const clientVariants = HTTP_TRANSPORTS.map((transport) => ({ transport, deleteGlobals: ['ReadableStream'] }));

const UNICODE_SAMPLES = [
  'Latin: Ça va? Größe, œuvre, naïve, Ærøskøbing',
  'Greek: Καλημέρα κόσμε',
  'Cyrillic: Съешь же ещё этих мягких французских булок',
  'CJK: 你好，世界 こんにちは 안녕하세요',
  'Arabic: مرحبا بالعالم',
  'Hebrew: שלום עולם',
  'Devanagari: नमस्ते दुनिया',
  'Emoji and surrogate pairs: 😀👍🏽👨‍👩‍👧 𝄞 𠜎',
  'Combining marks: e\u0301 a\u0308 n\u0303 Z\u0351\u0352\u0353',
];

const codeUnits = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => String.fromCharCode(from + i));
// Each alone, so that a failure names the character, and all together.
const CONTROL_CHARACTERS = [
  ...codeUnits(0x00, 0x1f),
  ...codeUnits(0x7f, 0x9f),
  '\u200b', '\u200c', '\u200d', '\u200e', '\u200f', '\u2028', '\u2029', '\u2060', '\ufeff', '\ufff0', '\ufffe', '\uffff',
];

const FRAME_LOOKALIKES = ['a["x"]', 'c[3000,"x"]', 'o', 'h', '\n', 'a[]', '["x"]', '\r\n\r\n', 'data: a["x"]\r\n\r\n', '%0A%25'];

/** 1 MiB of UTF-16 code units, multi-byte characters included so that UTF-8 sequences straddle chunks. */
const ONE_MIB_MESSAGE = 'resock 1 MiB ÿ€😀\u2028 "\\ '.repeat(64 * 1024).slice(0, 1024 * 1024);

for (const peer of SERVER_PEERS) describe(`every transport against ${peer.name}`, function () {
  let server;
  before(async () => {
    server = await peer.start();
  });
  after(async () => {
    await server?.close();
  });

  for (const { transport, deleteGlobals } of [...serverVariants, ...(peer.clientVariants ? clientVariants : [])]) {
    const title = deleteGlobals.length > 0 ? `${transport} without ${deleteGlobals.join(', ')}` : transport;

    describe(title, function () {
      /** A page and a connection forced onto this transport, open. */
      async function connectOpen(prefix) {
        const page = await openPage({ deleteGlobals });
        const socket = await page.connect(server.url(prefix), { transports: transport });
        const open = await socket.opened();
        return { page, socket, open };
      }

      /** Sends the messages and asserts they come back unchanged and in order. */
      async function assertEchoed(messages) {
        const { socket } = await connectOpen('/echo');
        await socket.send(...messages);
        assert.deepEqual(await socket.messages(messages.length), messages);
      }

      it(`opens on ${transport}`, async function () {
        const { socket, open } = await connectOpen('/echo');
        assert.equal(open.transport, transport);
        assert.equal(open.readyState, 1);
        assert.deepEqual(await socket.state(), { readyState: 1, transport });
      });

      it('echoes plain text', async function () {
        await assertEchoed(['hello', 'hello again', ' spaced  out ', '{"json":true}']);
      });

      it('echoes Unicode of many scripts', async function () {
        await assertEchoed(UNICODE_SAMPLES);
      });

      it('echoes control and special characters', async function () {
        await assertEchoed([...CONTROL_CHARACTERS, CONTROL_CHARACTERS.join('')]);
      });

      it('echoes strings that look like frames', async function () {
        await assertEchoed(FRAME_LOOKALIKES);
      });

      it('echoes a 1 MiB message', async function () {
        const { socket } = await connectOpen('/echo');
        await socket.send(ONE_MIB_MESSAGE);
        const [echoed] = await socket.messages(1);
        // Not assert.equal: on failure its diff of two 1 MiB strings would drown the report.
        assert.ok(echoed === ONE_MIB_MESSAGE, `echo differs: ${describeDifference(echoed, ONE_MIB_MESSAGE)}`);
      });

      it('delivers 2,000 messages sent back to back, all and in order', async function () {
        const messages = Array.from({ length: 2000 }, (_, i) => `message ${i}`);
        await assertEchoed(messages);
      });

      it('receives what the server pushes right after open, in order', async function () {
        const { socket } = await connectOpen('/push');
        assert.deepEqual(await socket.messages(3), ['one', 'two', 'three']);
      });

      // sockjs-go answers a WebSocket that it closes at once with the handshake, `o`,
      // `c[3000,"Go away!"]` and a TCP FIN in one go, without a close frame. Chromium and WebKit
      // deliver the two frames, then close (1006); Firefox drops the whole connection instead: no
      // open, no frame, only a close 1006, so no client (sockjs-client neither) can learn the code.
      const closeUnseen = ENGINE === 'firefox' && peer.name === 'sockjs-go' && transport === 'websocket';
      (closeUnseen ? it.skip : it)(`reports a close by the server with its code and reason${closeUnseen ? ' (not in Firefox: it drops the frames of a WebSocket closed with its handshake)' : ''}`, async function () {
        const { socket, open } = await connectOpen('/close');
        assert.equal(open.transport, transport);
        const closed = await socket.closed();
        assert.equal(closed.code, 3000);
        assert.equal(closed.reason, 'Go away!');
        assert.equal(closed.wasClean, true);
        assert.equal(closed.readyState, 3);
      });

      it('closes on close(), leaving no request of the page pending', async function () {
        const { page, socket } = await connectOpen('/echo');
        await socket.close();
        const closed = await socket.closed();
        assert.equal(closed.code, 1000);
        assert.equal(closed.wasClean, true);
        assert.equal(closed.readyState, 3);
        assert.equal((await socket.state()).readyState, 3);
        await page.waitUntilNoPendingRequests();
      });
    });
  }
});

function describeDifference(actual, expected) {
  if (typeof actual !== 'string') return `got ${typeof actual}`;
  let at = 0;
  while (at < actual.length && actual[at] === expected[at]) at += 1;
  const around = (s) => JSON.stringify(s.slice(Math.max(0, at - 10), at + 10));
  return `lengths ${actual.length} and ${expected.length}; first difference at ${at}: ${around(actual)} instead of ${around(expected)}`;
}
