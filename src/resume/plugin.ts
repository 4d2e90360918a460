/**
 * `resume` for `Resock`: an opt-in, handed in as an option so that apps that do not use it do not
 * carry the core (`new Resock(url, { resume })`, or `resume({ maxMessages: 5000 })`). Resock
 * calls `start` once; the seam then lives as long as the client, one core across every link, and
 * wraps each new link so that Resock itself knows nothing of the wire extension.
 */
import type { Clock } from '../env/env';
import type { LinkLike } from '../link/link';
import { CloseCode, closeInfo } from '../protocol/codes';
import { ensure, readOptions, type Rule } from '../util/options';
import { ResumeCore, type ResumeCoreOptions, type ResumeEvent, type ResumeOutcome, type ResumeState } from './core';
import { ResumeLink } from './link';
import { continuation, RESUME_QUERY, type FreshReason } from './wire';

export type ResumeOptions = Pick<ResumeCoreOptions, 'maxMessages' | 'maxBytes' | 'ackDelay' | 'ackEvery' | 'helloTimeout' | 'pingInterval' | 'pingTimeout'>;

/** The `detail` of `resumefailed`: the server started a fresh session, and these messages may be missing. */
export interface ResumeFailedDetail {
  /** Why: a FreshReason of the server (`restarted`, `unknown`, `window`…), or `'unsupported'` (no companion any more). */
  reason: FreshReason | 'unsupported' | (string & Record<never, never>);
  /** Messages sent before that the old session may or may not have received: the app resyncs. */
  unconfirmed: string[];
}

/** What Resock gives the seam. */
export interface ResumeHost {
  clock: Clock;
  /** The core has room again: hand it what waits in the queue. */
  drain(): void;
  failed(detail: ResumeFailedDetail): void;
  debug(event: string, detail: Record<string, unknown>): void;
}

export interface ResumeSeam {
  /** null until a server answered; then whether it resumes (false: a plain server, said once). */
  readonly resumable: boolean | null;
  /** The URL of the next link: with RESUME_QUERY until the server turned out plain. */
  url(url: string): string;
  wrap(link: LinkLike): LinkLike;
  /**
   * Set by resock/shared: the tabs of a shared link keep its session between them. A link's
   * handshake is then not reported here but emitted as the link's `welcome`: the tabs learn it,
   * and each reports its own part (`settle`). And what the core writes waits for `relay` to call
   * back: by then the browser has passed on to the other tabs what this tab told them before (the
   * numbers of our messages, the server's messages). Without that wait an ack or a numbered
   * message could reach the server while the tabs never learn of it — the BroadcastChannel and the
   * link are separate pipes out of the tab, and a tab that crashes loses what its pipe still held —
   * and the next leader could not resume: it would present a count the server no longer has.
   */
  relay: ((then: () => void) => void) | null;
  /** Shared: this tab leads next; its core takes the session as the tabs kept it. The link is down. */
  adopt(state: ResumeState): void;
  /** Reports a handshake's outcome in this tab: `resumable`, the `resume` debug event, `resumefailed`. */
  settle(outcome: ResumeOutcome): void;
  /** Shared: a leader's link made room, which its client's queue may be waiting for (see `TabLink.send`). */
  drain(): void;
  /** For the HTTP links: every POST says where it starts (`TransportOptions.mark`). */
  mark(post: readonly string[], next: string): string | undefined;
}

export interface ResumePlugin {
  start(host: ResumeHost): ResumeSeam;
}

/** `resume` itself is a plugin with the defaults; `resume(options)` makes one with other bounds. */
export type Resume = ((options?: ResumeOptions) => ResumePlugin) & ResumePlugin;

const ms: Rule<number | undefined> = ['m', undefined];
const count: Rule<number | undefined> = ['n', undefined];
const rules = { maxMessages: count, maxBytes: count, ackDelay: ms, ackEvery: count, helloTimeout: ms, pingInterval: ms, pingTimeout: ms };

class Seam implements ResumeSeam {
  resumable: boolean | null = null;
  relay: ((then: () => void) => void) | null = null;
  private readonly _core: ResumeCore;
  private _link: ResumeLink | null = null;
  /** A session was established once: a fresh start from now on means messages may be missing. */
  private _had = false;

  constructor(private readonly _host: ResumeHost, options: ResumeOptions) {
    this._core = new ResumeCore({
      ...options,
      clock: _host.clock,
      send: (wire) => {
        const link = this._link;
        // A plain core passes the app's messages through: they carry no numbers for the tabs to know.
        if (link) this.relay && !this._core.plain ? this.relay(() => link.put(wire)) : link.put(wire);
      },
      onEvent: (event) => this._on(event),
    });
  }

  // A plain core's messages are the app's: one may look like a marker or a data message.
  mark = (post: readonly string[], next: string): string | undefined => (this._core.plain ? undefined : continuation(post, next));

  url(url: string): string {
    return this._core.plain ? url : url + (url.indexOf('?') < 0 ? '?' : '&') + RESUME_QUERY;
  }

  wrap(link: LinkLike): LinkLike {
    return (this._link = new ResumeLink(link, this._core));
  }

  adopt(state: ResumeState): void {
    this._core.adopt(state);
  }

  private _on(event: ResumeEvent): void {
    const link = this._link;
    if (event.kind === 'drain') return this._host.drain();
    if (!link) return;
    if (event.kind === 'acked') return link.emit('acked', event.count);
    if (event.kind === 'dead') return link.drop(closeInfo(CloseCode.Lost, 'Heartbeat timeout'));
    if (event.kind === 'error') return link.drop(closeInfo(CloseCode.CannotConnect, event.error.message));
    if (this.relay) link.emit('welcome', event);
    else this.settle(event);
    // No welcome in time: one may still come on this link (see the core); the next asks for no resume.
    if (event.kind === 'unsupported' && event.why === 'timeout') link.drop(closeInfo(CloseCode.TransportTimeout, 'No resume welcome in time'));
    else link.opened();
  }

  drain(): void {
    this._host.drain();
  }

  settle(outcome: ResumeOutcome): void {
    const host = this._host;
    const had = this._had;
    this._had = outcome.kind !== 'unsupported';
    if (outcome.kind === 'unsupported') {
      // Said once: the core is plain for good and the later URLs go without the query.
      this.resumable = false;
      host.debug('resume', { resumable: false, why: outcome.why });
    } else {
      this.resumable = true;
      host.debug('resume', { resumable: true, result: outcome.kind === 'resumed' ? 'resumed' : outcome.reason });
    }
    // Before `open`, so the app knows to resync by the time it may send again.
    if (outcome.kind !== 'resumed' && (had || outcome.unconfirmed.length)) {
      host.failed({ reason: outcome.kind === 'fresh' ? outcome.reason : 'unsupported', unconfirmed: outcome.unconfirmed });
    }
  }
}

/** Reads the options (a TypeError names a wrong one) and makes a plugin that starts a seam per client. */
function plugin(options?: ResumeOptions): ResumePlugin {
  const read: Record<string, unknown> = readOptions(options, rules, 'resume.');
  ensure(read.maxMessages !== 0, 'resume.maxMessages', 'a number ≥ 1');
  // Unset bounds are left out, so the core's defaults apply.
  for (const key in read) if (read[key] === undefined) delete read[key];
  return { start: (host) => new Seam(host, read as ResumeOptions) };
}

/**
 * Resumable sessions for `Resock` (docs/resume-protocol.md; the server needs the companion,
 * `resock/server`): `new Resock(url, { resume })`, or `{ resume: resume({ maxMessages: 5000 }) }`.
 */
export const resume: Resume = /* @__PURE__ */ Object.assign(plugin, plugin());
