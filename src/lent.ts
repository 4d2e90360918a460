/**
 * What resock.min.js lends the `<script>` add-ons loaded after it (resock-resume.min.js,
 * resock-shared.min.js): modules that every page with the core has already, of which an add-on
 * would otherwise carry a copy. PRIVATE, not an API: `Resock[RESOCK_AT_VERSION]`, an array (a few
 * bytes in the core, which every page loads). The key names the version, so that an add-on meets
 * nothing in a core of another version, whose modules may differ, and says so (./borrow.ts).
 */
import type { Emitter } from './util/emitter';
import type { ensure, readOptions, refuseUnknown } from './util/options';
import type { utf8Length } from './util/utf8';
import type { closeInfo } from './protocol/codes';

declare global {
  /**
   * `'resock@' + the version in package.json`, written in as a literal by rollup.config.mjs in
   * the `<script>` builds (a literal, so that the minifier makes `{ [key]: … }` a plain key).
   */
  const RESOCK_AT_VERSION: string;
}

export type Lent = [
  Emitter: typeof Emitter,
  readOptions: typeof readOptions,
  ensure: typeof ensure,
  refuseUnknown: typeof refuseUnknown,
  utf8Length: typeof utf8Length,
  closeInfo: typeof closeInfo,
];
