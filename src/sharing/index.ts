/**
 * `resock/shared`: one link for many tabs. Only apps that import it pay for it.
 *
 *   import { Resock } from 'resock';
 *   import { shared } from 'resock/shared';
 *   const chat = new Resock('/chat', { shared: shared({ key: 'chat' }) });
 */
export { shared } from './hub';
export type { SharedOption, SharingRole } from './types';
