import type { StompHeaders } from './frame';
import { DEFAULT_MAX_FRAME_SIZE } from './parser';
import type { StompSocket } from './socket';

export interface StompClientOptions {
  /**
   * Makes the socket to speak STOMP on; called on `activate()` and again after the socket closed
   * for good (with backoff). Give a `Resock` and the client follows its reconnections; a
   * one-shot `WebSocket` or `SockJS` is replaced after each close. A silent link (lost
   * heart-beats), an ERROR frame or a malformed frame closes the socket, and the factory makes
   * the next one. Either this or `socket`.
   * @example { webSocketFactory: () => new Resock('https://example.com/stomp') }
   * @example { webSocketFactory: () => new WebSocket('ws://localhost:15674/ws', 'v12.stomp') }
   */
  webSocketFactory?: () => StompSocket;
  /**
   * One socket to use, for as long as it lives (a `Resock` lives across reconnections). The client
   * cannot replace it: when it closes, or must be closed (lost heart-beats, an ERROR frame), the
   * client stops. Prefer `webSocketFactory`. Either this or `webSocketFactory`.
   */
  socket?: StompSocket;
  /**
   * Headers of every CONNECT (`login`, `passcode`, `host`…), or a function called before each
   * CONNECT, which may be async (fresh tokens). A throw or rejection fails that connection.
   * @example { connectHeaders: async () => ({ login: 'app', passcode: await token() }) }
   */
  connectHeaders?: StompHeaders | (() => StompHeaders | Promise<StompHeaders>);
  /**
   * Heart-beats offered in CONNECT, in ms; 0 turns a direction off. A broker silent for twice the
   * agreed interval is considered gone and the link is closed. Default `{ outgoing: 10000, incoming: 10000 }`.
   */
  heartbeat?: { outgoing?: number; incoming?: number };
  /** First delay before a new socket after a close, ms, then doubling with jitter up to `maxReconnectDelay`. Default 1000. */
  reconnectDelay?: number;
  /** Longest delay between sockets, ms. Default 30000. */
  maxReconnectDelay?: number;
  /**
   * Most frames held while not connected plus SENDs awaiting their RECEIPT. Past it `publish`
   * (and `begin`, `commit`, `abort`) throw QueueOverflowError. Default 1000.
   */
  maxQueue?: number;
  /** A frame from the broker larger than this many bytes is an error. Default 16 MiB. */
  maxFrameSize?: number;
  /** Told what happens: frames in and out (`>>> SEND {…}`, `<<< MESSAGE {…}`) and sessions ending. */
  debug?: (message: string) => void;
}

export type ResolvedStompOptions = Required<Omit<StompClientOptions, 'socket' | 'webSocketFactory' | 'debug'>> &
  Pick<StompClientOptions, 'socket' | 'webSocketFactory' | 'debug'> & { heartbeat: { outgoing: number; incoming: number } };

/** What each option must be; the check is that the text names the value's `typeof`. */
const EXPECTED: Record<string, string> = {
  webSocketFactory: 'a function',
  socket: 'an object',
  connectHeaders: 'an object or a function',
  heartbeat: 'an object',
  reconnectDelay: 'a number ≥ 0',
  maxReconnectDelay: 'a number ≥ 0',
  maxQueue: 'a number ≥ 0',
  maxFrameSize: 'a number ≥ 0',
  debug: 'a function',
  'heartbeat.outgoing': 'a number ≥ 0',
  'heartbeat.incoming': 'a number ≥ 0',
};

function check(name: string, value: unknown): void {
  const expected = EXPECTED[name];
  if (!expected) throw new TypeError(`Unknown option '${name}'`);
  if (value !== undefined && (value === null || expected.indexOf(typeof value) < 0 || (typeof value === 'number' && !(value >= 0 && value < Infinity)))) {
    throw new TypeError(`Option '${name}' must be ${expected}`);
  }
}

/** Copies the defined options onto `target`, checking each. */
function assign(target: Record<string, unknown>, source: object, prefix: string): void {
  for (const [name, value] of Object.entries(source)) {
    check(prefix + name, value);
    if (value !== undefined) target[name] = value;
  }
}

/** Checks every option, naming the one that is wrong (unknown ones included), and fills in defaults. */
export function resolveStompOptions(options: StompClientOptions): ResolvedStompOptions {
  if (typeof options !== 'object' || !options) throw new TypeError('StompClient needs an options object');
  const o: Record<string, unknown> = {
    connectHeaders: {},
    reconnectDelay: 1000,
    maxReconnectDelay: 30000,
    maxQueue: 1000,
    maxFrameSize: DEFAULT_MAX_FRAME_SIZE,
  };
  assign(o, options, '');
  assign((o.heartbeat = { outgoing: 10000, incoming: 10000 }), options.heartbeat || {}, 'heartbeat.');
  if (!o.socket === !o.webSocketFactory) throw new TypeError("Give one of the options 'webSocketFactory' and 'socket'");
  return o as ResolvedStompOptions;
}
