import type { ResumeOutcome } from '../resume/core';

/**
 * A shared link's resumable session as every tab keeps it, so that whichever tab leads next
 * resumes THE SAME server session: the token, and our messages the server has not acknowledged,
 * with their numbers, which the next leader's hello and resend must present exactly (the
 * companion drops copies by number). The leader changes it and tells the tabs each change before
 * it goes on the wire (`out` before the write, `acked` after the server's ack, `welcome` after a
 * handshake), so no tab can lack a number the server has. Plain data: it crosses BroadcastChannels.
 */
export interface Replica {
  token: string | null;
  /** Why the server turned out to have no companion: then the tabs share as without resume. */
  plain: Extract<ResumeOutcome, { kind: 'unsupported' }>['why'] | false;
  /** The leader's count of server messages when the copy was sent: where a tab that joins starts. */
  received: number;
  /** The server acknowledged our first `base` messages; `out` are the next, numbered `base + 1`… */
  base: number;
  out: string[];
  /** For each message of `out`: the tab that sent it, and its number in that tab's own count. */
  who: string[];
  seq: number[];
  /** Each tab's last message numbered in the session: one it sends again up to there is a copy. */
  took: Map<string, number>;
}

export const emptyReplica = (): Replica => ({ token: null, plain: false, received: 0, base: 0, out: [], who: [], seq: [], took: new Map() });

/**
 * The leader numbered `data` from `n` on: tab `who`'s messages up to its own number `seq`. A copy
 * that missed a change (`n` does not follow) cannot resume faithfully: it forgets the token, so
 * that if its tab leads it starts a fresh session (and says so) rather than one with a hole.
 */
export function numbered(r: Replica, n: number, who: string, seq: number, data: readonly string[]): void {
  if (n !== r.base + r.out.length + 1) r.token = null;
  data.forEach((message, i) => {
    r.out.push(message);
    r.who.push(who);
    r.seq.push(seq - data.length + 1 + i);
  });
  r.took.set(who, seq);
}

/** The server acknowledged our messages up to `count`: drops them. */
export function acknowledged(r: Replica, count: number): void {
  const drop = Math.max(0, Math.min(count - r.base, r.out.length));
  r.base = Math.max(r.base, count);
  for (const list of [r.out, r.who, r.seq]) list.splice(0, drop);
}

/**
 * Of the batches tab `self` keeps (each by the number of its last message), those `r` has not
 * settled: not numbered yet, or numbered and still unacknowledged. What it numbered and no longer
 * has was acknowledged, or reported by a handshake (`welcomed`). Read from the session itself, not
 * from the news of each change: a tab that missed or dropped news (a dead leader's, late) keeps
 * exactly what the session it has now leaves unsettled.
 */
export function unsettled<K extends { seq: number }>(r: Replica, self: string, kept: K[]): K[] {
  const took = r.took.get(self) || 0;
  // One pass over each: a tab may keep as many batches as the session holds messages, on every ack.
  const open = new Set(r.seq.filter((_, i) => r.who[i] === self));
  return kept.filter((k) => k.seq > took || open.has(k.seq));
}

/**
 * The session after a handshake, as the leader's core has it: resumed, the new token (the acks
 * came as `acked`); fresh, numbering starts again from 1 with the messages that never went out;
 * plain, nothing is kept any more. Fresh or plain, the server's count starts again too. Returns,
 * of the messages the old session may not have received (the first ones: see `ResumeCore`), those
 * of the tab `self` (`unconfirmed`, for its `resumefailed`).
 */
export function welcomed(r: Replica, outcome: ResumeOutcome, self: string): string[] {
  if (outcome.kind === 'resumed') return (r.token = outcome.token), [];
  const lost = outcome.unconfirmed.length;
  const gone = outcome.kind === 'fresh' ? lost : r.out.length;
  const unconfirmed = r.out.slice(0, lost).filter((_, i) => r.who[i] === self);
  for (const list of [r.out, r.who, r.seq]) list.splice(0, gone);
  r.base = r.received = 0;
  if (outcome.kind === 'fresh') r.token = outcome.token;
  else (r.token = null), (r.plain = outcome.why);
  return unconfirmed;
}
