// Compile-only checks of resock/stomp's public types (dist/types): every socket the issue
// promises fits `StompSocket`, events are typed, and mistakes do not compile.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const types = fileURLToPath(new URL('../../dist/types/', import.meta.url));

const SOURCE = (dir) => `
import { StompClient, QueueOverflowError, type StompSocket, type StompMessage, type StompFrame } from '${dir}stomp/index';
import { Resock, SockJS } from '${dir}index';

declare const resock: Resock;
declare const sockjs: SockJS;
declare const ws: WebSocket;
const sockets: StompSocket[] = [resock, sockjs, ws];

new StompClient({ webSocketFactory: () => new Resock('https://example.com/stomp', { transports: ['websocket'] }) });
new StompClient({ webSocketFactory: () => new WebSocket('ws://localhost:15674/ws', 'v12.stomp') });
new StompClient({ webSocketFactory: () => new SockJS('https://example.com/stomp') });
const client = new StompClient({
  socket: resock,
  connectHeaders: async () => ({ login: 'guest', passcode: 'guest' }),
  heartbeat: { outgoing: 5000, incoming: 0 },
  reconnectDelay: 500,
  maxQueue: 100,
  debug: (line: string) => line.length,
});
client.activate();
const done: Promise<void> = client.deactivate();
const connected: boolean = client.connected;
const sub = client.subscribe('/queue/a', (message: StompMessage) => {
  const text: string = message.body;
  const bytes: Uint8Array = message.binaryBody;
  message.ack({ transaction: 'tx' });
  message.nack();
}, { ack: 'client-individual' });
const id: string = sub.id;
sub.unsubscribe();
const sent: Promise<void> = client.publish({ destination: '/queue/a', body: 'x', headers: { persistent: 'true' }, receipt: true });
const tx = client.begin();
const committed: Promise<void> = tx.commit();
client.publish({ destination: '/queue/a', headers: { transaction: tx.id } });
const off: () => void = client.on('error', ({ message, frame }) => { const m: string = message; const f: StompFrame | undefined = frame; });
client.on('connect', ({ version, frame }) => version + frame.command);
client.on('disconnect', ({ reason }) => reason.length);
client.on('unhandledReceipt', (frame) => frame.headers['receipt-id']);
client.addEventListener('connect', (event) => event.detail.version.length);
const overflow = new QueueOverflowError('full');

// @ts-expect-error an unknown event
client.on('connected', () => {});
// @ts-expect-error a misspelt option
new StompClient({ socket: ws, reconectDelay: 1 });
// @ts-expect-error publish needs a destination
client.publish({ body: 'x' });
// @ts-expect-error not a socket
new StompClient({ socket: { send() {} } });
export { sockets, done, connected, id, sent, committed, off, overflow };
`;

describe('resock/stomp public types', function () {
  this.timeout(60000);

  it('compile for Resock, SockJS and WebSocket, and reject mistakes', function () {
    assert.ok(existsSync(path.join(types, 'stomp/index.d.ts')), 'dist/types/stomp is missing: run npm run build');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'resock-stomp-types-'));
    try {
      const file = path.join(dir, 'usage.ts');
      writeFileSync(file, SOURCE(types.split(path.sep).join('/')));
      const program = ts.createProgram([file], {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2020,
        module: ts.ModuleKind.ES2020,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        lib: ['lib.es2020.d.ts', 'lib.dom.d.ts'],
        types: [],
        noUnusedLocals: false,
      });
      const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      assert.deepEqual(problems, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
