/**
 * The `<script>` entry: the global `Resock` is the reconnecting client, carrying the rest as
 * statics (`Resock.SockJS`, `Resock.CloseCode`…). `SockJS` is defined too when the page has none,
 * so replacing sockjs-client's `<script>` tag is the whole migration.
 */
import { Resock, SockJS, CloseCode, QueueOverflowError, InvalidAccessError, InvalidStateError } from './index';

const g = globalThis as unknown as Record<string, unknown>;
if (!g.SockJS) g.SockJS = SockJS;

export default Object.assign(Resock, { SockJS, CloseCode, QueueOverflowError, InvalidAccessError, InvalidStateError });
