// esm.html: the library imported as ES modules, straight from dist/esm.
import { Resock } from '/dist/esm/index.js';
import { StompClient } from '/dist/esm/stomp/index.js';
import { shared } from '/dist/esm/shared/index.js';
import { startChat } from './app.js';

startChat(Resock, { variant: 'esm', StompClient, shared });
