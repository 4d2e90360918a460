/**
 * The `<script>` entry, loaded after `resock.min.js` (or alone, with a native WebSocket): the global
 * `ResockStomp` holds what `import … from 'resock/stomp'` gives, e.g. `new ResockStomp.StompClient({…})`.
 */
import { StompClient, QueueOverflowError } from './index';

export default { StompClient, QueueOverflowError };
