/**
 * The `<script>` entry, loaded after `resock.min.js` (or alone, with a native WebSocket): the global
 * `ResockStomp` holds what `import … from 'resock/stomp'` gives, e.g. `new ResockStomp.StompClient({…})`.
 */
import { StompClient, StompClosedError, QueueOverflowError } from './index';

export default { StompClient, StompClosedError, QueueOverflowError };
