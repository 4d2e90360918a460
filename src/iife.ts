/**
 * The `<script>` entry: the global `Resock` is the reconnecting client, carrying the rest as
 * statics (`Resock.SockJS`, `Resock.CloseCode`…). `SockJS` is defined too when the page has none,
 * so replacing sockjs-client's `<script>` tag is the whole migration. It also lends the add-ons
 * loaded after it the modules they share with it (private: see ./lent.ts).
 */
import { Resock, SockJS, CloseCode, QueueOverflowError, InvalidAccessError, InvalidStateError } from './index';
import type { Lent } from './lent';
import { closeInfo } from './protocol/codes';
import { Emitter } from './util/emitter';
import { ensure, readOptions, refuseUnknown } from './util/options';
import { utf8Length } from './util/utf8';

const g = globalThis as unknown as Record<string, unknown>;
if (!g.SockJS) g.SockJS = SockJS;

// The key as a template: a `string` to the declarations (dist/types/iife.d.ts names no global of the
// build), the same literal to the minifier.
export default Object.assign(Resock, {
  SockJS, CloseCode, QueueOverflowError, InvalidAccessError, InvalidStateError,
  [`${RESOCK_AT_VERSION}`]: [Emitter, readOptions, ensure, refuseUnknown, utf8Length, closeInfo] satisfies Lent,
});
