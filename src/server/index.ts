// resock/server: Node only, never imported by browser code.
export { attachResume, ResumeServer, type ResumeServerOptions } from './companion';
export { ResumableConnection } from './connection';
export { MemoryStore, type ResumeStore, type SessionRecord } from './store';
export { ResumeCloseCode, type SockjsConnectionLike, type SockjsServerLike } from './types';
export { RESUME_QUERY, type FreshReason } from '../resume/wire';
