import type { StompHeaders } from './frame';
import { readOptions, type Rule } from '../util/options';
import { refuseShared, type StompSocket } from './socket';

export interface StompClientOptions {
  /**
   * Makes the socket to speak STOMP on; called on `activate()` and again after the socket closed
   * for good (with backoff). Give a `Resock` and the client follows its reconnections; a
   * one-shot `WebSocket` or `SockJS` is replaced after each close. A silent link (lost
   * heart-beats), an ERROR frame or a malformed frame closes the socket (after a DISCONNECT when
   * the broker still listens), and the factory makes the next one. Either this or `socket`.
   * @example { webSocketFactory: () => new Resock('https://example.com/stomp') }
   * @example { webSocketFactory: () => new WebSocket('ws://localhost:15674/ws', 'v12.stomp') }
   */
  webSocketFactory?: () => StompSocket;
  /**
   * One socket to use, for as long as it lives (a `Resock` lives across reconnections). The client
   * cannot replace it: when it closes, or must be closed (an ERROR frame, a malformed frame), the
   * client stops. When heart-beats are lost, a socket with a `reconnect()` method (a `Resock`) is
   * asked to reconnect instead; any other is closed. Prefer `webSocketFactory`. Either this or
   * `webSocketFactory`.
   */
  socket?: StompSocket;
  /**
   * Headers of every CONNECT (`login`, `passcode`, `host`…), or a function called before each
   * CONNECT, which may be async (fresh tokens). A throw or rejection fails that connection, and so
   * do a line break in a value and a line break or ':' in a name, which CONNECT cannot escape.
   * @example { connectHeaders: async () => ({ login: 'app', passcode: await token() }) }
   */
  connectHeaders?: StompHeaders | (() => StompHeaders | Promise<StompHeaders>);
  /**
   * Heart-beats offered in CONNECT, in ms; 0 turns a direction off. A broker silent for twice the
   * agreed interval is considered gone and the link is closed. Default `{ outgoing: 10000, incoming: 10000 }`.
   */
  heartbeat?: { outgoing?: number; incoming?: number };
  /**
   * How long an open socket waits for CONNECTED, `connectHeaders` included, in ms; 0 waits for
   * ever. A broker (or a server that is no broker) that stays silent, or a `connectHeaders` that
   * never settles, is treated as a lost heart-beat, and the 'error' event says so. Default 10000.
   */
  connectTimeout?: number;
  /**
   * Least delay before a new socket after a close, in ms; it doubles (with jitter) after each
   * failed one (one connected for less than 5 s counts as failed), up to 30 s or this, whichever is
   * longer. Default 1000.
   */
  reconnectDelay?: number;
  /**
   * Most frames held while not connected plus SENDs awaiting their RECEIPT. Past it `publish`
   * (and `begin`, `commit`, `abort`) throw QueueOverflowError. Default 1000.
   */
  maxQueue?: number;
  /**
   * Told the traffic as text: `>>> SEND\ndestination:…` for each frame out (CONNECT without its
   * headers, so no passcode), `<<< …` for each message in (heart-beat EOLs included).
   */
  debug?: (message: string) => void;
}

export type ResolvedStompOptions = Required<Omit<StompClientOptions, 'socket' | 'webSocketFactory' | 'debug'>> &
  Pick<StompClientOptions, 'socket' | 'webSocketFactory' | 'debug'> & { heartbeat: { outgoing: number; incoming: number } };

const stompRules = {
  webSocketFactory: ['f', undefined] as Rule<(() => StompSocket) | undefined>,
  socket: ['o', undefined] as Rule<StompSocket | undefined>,
  connectHeaders: ['of', {}] as Rule<StompClientOptions['connectHeaders']>,
  heartbeat: ['o', undefined] as Rule<unknown>,
  connectTimeout: ['m', 10000] as Rule<number>,
  reconnectDelay: ['m', 1000] as Rule<number>,
  maxQueue: ['n', 1000] as Rule<number>,
  debug: ['f', undefined] as Rule<((message: string) => void) | undefined>,
};
const heartbeatRules = { outgoing: ['m', 10000] as Rule<number>, incoming: ['m', 10000] as Rule<number> };

/** Checks every option, naming the one that is wrong (unknown ones included), and fills in defaults. */
export function resolveStompOptions(options: StompClientOptions): ResolvedStompOptions {
  const o = readOptions(options, stompRules);
  if (!o.socket === !o.webSocketFactory) throw new TypeError("Give 'webSocketFactory' or 'socket'");
  if (o.socket) refuseShared(o.socket);
  return { ...o, heartbeat: readOptions(o.heartbeat, heartbeatRules, 'heartbeat.') } as ResolvedStompOptions;
}
