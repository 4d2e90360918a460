/**
 * The `<script>` add-on, after `resock.min.js`: `Resock.shared` (and the global `ResockShared`).
 * Apart, so that pages that do not share do not pay for it. It takes the modules it shares with
 * resock.min.js from it (../borrow.ts), and stops with an Error without it.
 */
import { Resock } from '../borrow';
import { shared } from './index';

Resock!.shared = shared;

export default shared;
