// Compile-only checks of resock's public types, as a TypeScript app sees them through the
// package's `exports` (`import … from 'resock'` resolves to dist/types). Checked by
// test/types/types.test.mjs with `tsc --noEmit`; every `@ts-expect-error` must stay an error.
import {
  backoffDelay,
  CloseCode,
  InvalidAccessError,
  InvalidStateError,
  QueueOverflowError,
  Resock,
  SockJS,
  type CloseInfo,
  type ConnectionOptions,
  type ReconnectingDetail,
  type ResockCloseEvent,
  type ResockOptions,
  type ResockState,
  type SockJSOptions,
  type TransportName,
} from 'resock';

/** Compiles only when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const same = <A, B>(value: Equal<A, B>): void => void value;

// ── Transport names ────────────────────────────────────────────────────────────────────────
same<TransportName, 'websocket' | 'xhr-streaming' | 'eventsource' | 'xhr-polling' | 'jsonp-polling'>(true);

// ── Options: every documented one, of the right type ───────────────────────────────────────
const full: ResockOptions = {
  transports: ['websocket', 'xhr-streaming', 'eventsource', 'xhr-polling', 'jsonp-polling'],
  server: '042',
  sessionId: 12,
  timeout: 5000,
  headers: { Authorization: 'Bearer t' },
  withCredentials: false,
  debug: (event: string, detail?: unknown) => console.log(event, detail),
  reconnect: { minDelay: 500, maxDelay: 15000, maxAttempts: 10, minUptime: 5000 },
  queue: { maxMessages: 1000, maxBytes: 1 << 20, overflow: 'drop-oldest' },
  heartbeatTimeout: 35000,
  beforeConnect: async ({ attempt, url, headers }) => ({ url: `${url}?attempt=${attempt}`, headers: { ...headers, 'X-Attempt': String(attempt) } }),
  shouldReconnect: (close: CloseInfo) => close.code !== 4001,
  signal: new AbortController().signal,
};
const alternatives: ResockOptions[] = [
  { transports: 'xhr-polling' },
  { sessionId: () => 'my-session-id' },
  { headers: () => ({ Authorization: 'Bearer fresh' }) },
  { debug: true },
  { reconnect: false },
  { beforeConnect: () => undefined },
  { queue: { overflow: 'reject' } },
  {},
];
const sockjsOptions: SockJSOptions = { transports: ['websocket', 'xhr-streaming'], timeout: 0, server: '1', headers: {} };
const connection: ConnectionOptions = sockjsOptions;
void [full, alternatives, connection];

// ── A wrong option name or type does not compile ───────────────────────────────────────────
// @ts-expect-error misspelt option
new Resock('https://example.com/echo', { reconect: { minDelay: 1 } });
// @ts-expect-error singular `transport` is not an option
new Resock('https://example.com/echo', { transport: 'websocket' });
// @ts-expect-error an unknown nested option
new Resock('https://example.com/echo', { reconnect: { minDelayMs: 1 } });
// @ts-expect-error timeout is a number of ms
new Resock('https://example.com/echo', { timeout: '5s' });
// @ts-expect-error reconnect is an object or false
new Resock('https://example.com/echo', { reconnect: true });
// @ts-expect-error minDelay is a number
new Resock('https://example.com/echo', { reconnect: { minDelay: '1s' } });
// @ts-expect-error overflow is 'reject' or 'drop-oldest'
new Resock('https://example.com/echo', { queue: { overflow: 'drop-newest' } });
// @ts-expect-error withCredentials is a boolean
new Resock('https://example.com/echo', { withCredentials: 'true' });
// @ts-expect-error headers are strings
new Resock('https://example.com/echo', { headers: { 'X-Count': 1 } });
// @ts-expect-error debug is a boolean or a function
new Resock('https://example.com/echo', { debug: 'verbose' });
// @ts-expect-error shouldReconnect takes a function
new Resock('https://example.com/echo', { shouldReconnect: false });
// @ts-expect-error transports are names, not numbers
new SockJS('https://example.com/echo', null, { transports: [1] });
// @ts-expect-error a Resock option is not a SockJS one (SockJS never reconnects)
new SockJS('https://example.com/echo', null, { reconnect: false });
// @ts-expect-error the URL is required
new Resock();

// ── Events and their detail ────────────────────────────────────────────────────────────────
const client = new Resock('https://example.com/echo', full);
client.addEventListener('reconnecting', (event) => {
  same<typeof event.detail, ReconnectingDetail>(true);
  const attempt: number = event.detail.attempt;
  const delay: number = event.detail.delay;
  const last: CloseInfo = event.detail.lastClose;
  const code: number = event.detail.lastClose.code;
  const reason: string = event.detail.lastClose.reason;
  const clean: boolean = event.detail.lastClose.wasClean;
  void [attempt, delay, last, code, reason, clean];
  // @ts-expect-error no such field
  void event.detail.attempts;
});
client.addEventListener('state', (event) => {
  same<typeof event.detail.prev, ResockState>(true);
  same<typeof event.detail.next, ResockState>(true);
});
client.addEventListener('drop', (event) => {
  same<typeof event.detail.messages, string[]>(true);
});
client.addEventListener('message', (event) => {
  same<typeof event.data, string>(true);
});
client.addEventListener('close', (event) => {
  same<typeof event, ResockCloseEvent>(true);
  const fields: [number, string, boolean] = [event.code, event.reason, event.wasClean];
  void fields;
});
client.addEventListener('drain', (event) => void event.type);
client.onmessage = (event) => {
  same<typeof event.data, string>(true);
};
client.onclose = (event) => void event.code;
// Listeners of other types still work, as on any EventTarget.
client.addEventListener('custom', (event: Event) => void event);

same<typeof client.state, ResockState>(true);
same<ResockState, 'connecting' | 'open' | 'reconnecting' | 'closing' | 'closed'>(true);
same<typeof client.transport, TransportName | null>(true);
const readyState: number = client.readyState;
const buffered: number = client.bufferedAmount;
void [readyState, buffered];
client.send('text');
client.send(42); // sent as String(x), as sockjs-client
client.close(CloseCode.Normal, 'bye');

// ── The SockJS facade ──────────────────────────────────────────────────────────────────────
const socket = new SockJS('https://example.com/echo', null, { transports: 'websocket' });
new SockJS('https://example.com/echo', ['v12.stomp']);
new SockJS('https://example.com/echo');
socket.onopen = () => socket.send('hi');
socket.onmessage = (event) => same<typeof event.data, string>(true);
socket.addEventListener('close', (event) => {
  const code: number = event.code;
  void code;
});
same<typeof socket.transport, TransportName | null>(true);
const states: number[] = [SockJS.CONNECTING, SockJS.OPEN, SockJS.CLOSING, SockJS.CLOSED, socket.OPEN, Resock.OPEN, client.CLOSED];
void states;
const protocol: string = socket.protocol;
const extensions: string = socket.extensions;
void [protocol, extensions];
// @ts-expect-error SockJS has no `state` (that is Resock's)
void socket.state;

// ── Codes, errors, backoff ─────────────────────────────────────────────────────────────────
const normal: 1000 = CloseCode.Normal;
const allFailed: 2000 = CloseCode.AllTransportsFailed;
void [normal, allFailed];
// @ts-expect-error CloseCode is read-only
CloseCode.Normal = 1001;
const errors: Error[] = [new QueueOverflowError('full'), new InvalidStateError('x'), new InvalidAccessError('x')];
void errors;
const delay: number = backoffDelay(3, 500, 15000);
const seeded: number = backoffDelay(3, 500, 15000, () => 0.5);
void [delay, seeded];
// @ts-expect-error the attempt is a number
backoffDelay('3', 500, 15000);
