// RabbitMQ for the compatibility tests: started through scripts/rabbitmq.sh when not running,
// and stopped again at the end only if these tests started it (another suite may share it).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const script = fileURLToPath(new URL('../../scripts/rabbitmq.sh', import.meta.url));
const run = promisify(execFile);

const isRunning = () => run('bash', [script, 'status']).then(() => true, () => false);

/** Ensures a RabbitMQ with STOMP on 127.0.0.1:61613; resolves with a function that undoes what it did. */
export async function ensureRabbitmq() {
  const wasRunning = await isRunning();
  await run('bash', [script, 'start'], { timeout: 120000 }); // when running, waits until STOMP accepts
  if (wasRunning) return async () => {};
  return async () => {
    await run('bash', [script, 'stop'], { timeout: 120000 });
  };
}
