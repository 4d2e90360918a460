/**
 * An add-on's side of ./lent.ts: in the `<script>` add-ons' builds, rollup.config.mjs has their
 * modules import the lent modules from here, not from src/util and src/protocol. Without
 * resock.min.js of the same version loaded first, the add-on stops at once with an Error that
 * says so, rather than a TypeError later or a client made of another version's parts.
 */
import type { Lent } from './lent';

/** The core's `Resock` global, which takes the add-ons' statics (`Resock.resume`, `Resock.shared`). */
export const Resock = (globalThis as unknown as { Resock?: Record<string, unknown> }).Resock;
const lent = Resock?.[RESOCK_AT_VERSION] as Lent | undefined;
if (!lent) throw new Error(`Load resock.min.js (${RESOCK_AT_VERSION}) before this script`);

export const [Emitter, readOptions, ensure, refuseUnknown, utf8Length, closeInfo] = lent;
// Not lent: the add-ons read CloseCode's members, which the minifier turns into numbers.
export { CloseCode } from './protocol/codes';
