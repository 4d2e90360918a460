export { ResumeCore, ResumeProtocolError, type ResumeCoreOptions, type ResumeEvent } from './core';
export { RESUME_QUERY, type FreshReason } from './wire';
