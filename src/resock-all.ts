import type { ResockOptions } from './client/options';
import { Resock as CoreResock } from './client/resock';
import { allTransports } from './transports/index';

/**
 * `Resock` with all five transports bundled, picked by name (`transports: ['websocket']`) or all
 * by default: the class of `resock` and of the `<script>` bundle. `resock/core` has the same
 * class without them, for apps that hand in only the transports they use.
 */
export class Resock extends CoreResock {
  constructor(url: string, options?: ResockOptions) {
    super(url, options, { transports: allTransports });
  }
}
