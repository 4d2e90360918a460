/**
 * `resock/resume`: resumable sessions for `Resock`, an opt-in so that apps that do not use it do
 * not carry it. The server needs the companion (`resock/server`); against a plain SockJS server
 * the client works as without it and says so (`resumable` false, a `debug` event).
 *
 *   import { Resock } from 'resock';
 *   import { resume } from 'resock/resume';
 *   const chat = new Resock('https://example.com/chat', { resume });
 *   chat.addEventListener('resumefailed', (event) => resync(event.detail.unconfirmed));
 */
export { resume, type Resume, type ResumeOptions, type ResumePlugin, type ResumeFailedDetail } from './resume/plugin';
export { ResumeProtocolError } from './resume/core';
export { RESUME_QUERY, type FreshReason } from './resume/wire';
