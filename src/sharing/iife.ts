/**
 * The `<script>` add-on, after `resock.min.js`: `Resock.shared` (and the global `ResockShared`).
 * Apart, so that pages that do not share do not pay for it.
 */
import { shared } from './index';

const g = globalThis as unknown as { Resock?: Record<string, unknown> };
if (g.Resock) g.Resock.shared = shared;

export default shared;
