import type { ResumeOutcome } from '../resume/core';
import type { Replica } from './session';

/**
 * What tabs say to each other about one shared link. Every message names its sender (`from`, a
 * tab id); `lid` names one link of one leader, so that nothing meant for a link that ended is
 * applied to the next one.
 *
 * Two kinds of BroadcastChannel carry them (both per URL and key, see `channelName`):
 * - the link's channel, which every tab listens on: what all tabs need (`leader`, `hello`, `msg`,
 *   `close`), and `bye`;
 * - a tab's own channel (`pairName`), held by that tab and, while it leads, by the leader: what
 *   only those two need (`open`, `send`, `ack`). A follower's send and its confirmation
 *   wake no other tab: on a loaded machine every tab that wakes for a message it drops delays the
 *   leader's relay (measured: bench/README.md, shared links).
 * The platform delivers the messages of all channels to one tab in the order they were posted.
 * A tab takes from each channel only the kinds it carries (`LINK_KINDS`…).
 *
 * With `resume`, the leader also tells every tab, on the link's channel, each change of the
 * session (`out`, `acked`, `welcome`: see `session.ts`) and numbers the server's messages (`msg`'s
 * `n`), so that any tab can lead the same session next and each delivers every message once.
 */
export type TabMessage =
  /** The sender holds the lock now: whoever followed another leader's link lets it go; whoever waits says `hello` again. */
  | { t: 'leader'; from: string }
  /** A tab wants the link: the leader opens the tab's pair channel, and answers `open` on it once its link is open. */
  | { t: 'hello'; from: string }
  /** On a follower's pair channel: the leader's link `lid` is open; with resume, its session (`s`) for a tab that has none yet. */
  | { t: 'open'; from: string; lid: string; transport: string | null; s?: Replica }
  /** A server message; with resume, numbered (`n`) in the session. */
  | { t: 'msg'; from: string; lid: string; data: string; n?: number }
  | { t: 'close'; from: string; lid: string; code: number; reason: string; wasClean: boolean; handover?: boolean }
  /** On the sender's pair channel: its messages for the link `lid`; each tab counts the messages it sends, `seq` is the last one's. */
  | { t: 'send'; from: string; lid: string; seq: number; data: string[] }
  /** Without resume, on the follower's pair channel: its batches up to `seq` went out on the leader's link (a frame written, a POST answered). */
  | { t: 'ack'; from: string; seq: number }
  /** On the sender's own pair channel, to itself: everything it posted before has left the tab (see `Hub._relay`). */
  | { t: 'mark'; from: string }
  /** It left or hid (pagehide): the leader closes its pair; a `hello` opens one again. */
  | { t: 'bye'; from: string }
  /** Resume: the leader numbered `data` from `n` on, tab `who`'s messages up to its own number `seq`. */
  | { t: 'out'; from: string; n: number; who: string; seq: number; data: string[] }
  /** Resume: the server acknowledged our messages up to `n`. */
  | { t: 'acked'; from: string; n: number }
  /** Resume: a handshake of the leader's link ended so (`w`); `s` is the session after it. */
  | { t: 'welcome'; from: string; w: ResumeOutcome; s: Replica };

/**
 * The BroadcastChannel and lock name of one shared link (`resock [url, key, resume, 2]`): one per
 * URL, key and `resume`, never across them, and per version of these messages (the 2): tabs still
 * open from an older deploy, or whose clients differ in `resume`, lead links of their own instead
 * of misreading each other.
 */
export const channelName = (url: string, key: string, resume: boolean) => `resock ${JSON.stringify([url, key, resume, 2])}`;

/** The channel between tab `id` and the leader of the link `name`. */
export const pairName = (name: string, id: string) => `${name} ${id}`;

type Check = (value: unknown) => boolean;
const text: Check = (v) => typeof v === 'string';
const count: Check = (v) => Number.isInteger(v);
const texts: Check = (v) => Array.isArray(v) && v.every(text);
const maybe = (check: Check): Check => (v) => v === undefined || check(v);
/** An object whose `fields` pass their checks (others are not read). */
const shape = (fields: Record<string, Check>): Check => (v) => !!v && typeof v === 'object' && Object.keys(fields).every((k) => fields[k]!((v as Record<string, unknown>)[k]));

const replica = shape({
  token: (v) => v === null || text(v),
  plain: (v) => v === false || text(v),
  received: count,
  base: count,
  out: texts,
  who: texts,
  seq: (v) => Array.isArray(v) && v.every(count),
  took: (v) => v instanceof Map && [...v.values()].every(count),
});
const OUTCOMES = [shape({ kind: (v) => v === 'resumed', token: text }), shape({ kind: (v) => v === 'fresh', token: text, reason: text, unconfirmed: texts }), shape({ kind: (v) => v === 'unsupported', why: text, unconfirmed: texts })];

/** What each kind of message carries besides `t` and `from`, as its receiver reads it. */
const FIELDS: Record<TabMessage['t'], Record<string, Check>> = {
  leader: {},
  hello: {},
  open: { lid: text, transport: (v) => v === null || text(v), s: maybe(replica) },
  msg: { lid: text, data: text, n: maybe(count) },
  close: { lid: text, code: count, reason: text, wasClean: (v) => typeof v === 'boolean' },
  send: { lid: text, seq: count, data: texts },
  ack: { seq: count },
  mark: {},
  bye: {},
  out: { n: count, who: text, seq: count, data: texts },
  acked: { n: count },
  welcome: { w: (v) => OUTCOMES.some((outcome) => outcome(v)), s: replica },
};

/** What each channel carries (see `TabMessage`): a kind that belongs to another is not taken from it. */
export const LINK_KINDS = 'leader hello msg close out acked welcome bye';
export const OWN_PAIR_KINDS = 'open ack mark';
export const PAIR_KINDS = 'send';

/**
 * `data` as a message of the tabs of one of `kinds` (the channel's), or null. Any page of the
 * origin can post on these channels, a tab of another version of this library among them: what
 * is not shaped as this version reads it, or not of that channel, is dropped, so that no field it
 * lacks throws in a handler or changes what a tab keeps (an older version said `ack` to every tab).
 */
export function readMessage(data: unknown, kinds: string): TabMessage | null {
  const m = data as TabMessage | null;
  return m && typeof m === 'object' && kinds.split(' ').indexOf(m.t) >= 0 && text(m.from) && shape(FIELDS[m.t])(m) ? m : null;
}
