// index.html: the library came in through <script> tags: dist/resock.min.js (the global Resock)
// and dist/resock-stomp.min.js (the global ResockStomp), dist/resock-shared.min.js (Resock.shared).
import { startChat } from './app.js';

if (typeof window.Resock !== 'function') {
  document.body.textContent = 'dist/resock.min.js did not load: run `npm run demo`, which builds it first.';
} else {
  startChat(window.Resock, { variant: 'iife', StompClient: window.ResockStomp ? window.ResockStomp.StompClient : null, shared: window.Resock.shared || null });
}
