// Mocha root hooks of the broker and cluster tests (loaded with --require by `npm run test:broker`
// and `npm run test:cluster`): RabbitMQ is started before the first test and stopped after the
// last, by scripts/rabbitmq.sh, so that `npm test` leaves no broker running.
// RESOCK_KEEP_RABBITMQ=1 leaves it running at the end, for quicker reruns while developing.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../scripts/rabbitmq.sh', import.meta.url));
const LIMIT_MS = 150000;

/** Runs `scripts/rabbitmq.sh <command>`; rejects with its output when it fails or overruns. */
export function rabbitmq(command) {
  return new Promise((resolve, reject) => {
    execFile('bash', [SCRIPT, command], { timeout: LIMIT_MS }, (error, stdout, stderr) => {
      if (error) reject(new Error(`scripts/rabbitmq.sh ${command} failed: ${error.message}\n${stdout}${stderr}`));
      else resolve(stdout.trim());
    });
  });
}

/** Stops RabbitMQ and starts it again, keeping its data (durable queues, persistent messages). */
export async function restartRabbitMQ() {
  await rabbitmq('stop');
  await rabbitmq('start');
}

export const mochaHooks = {
  async beforeAll() {
    this.timeout(LIMIT_MS + 5000);
    await rabbitmq('start');
  },
  async afterAll() {
    this.timeout(LIMIT_MS + 5000);
    if (!process.env.RESOCK_KEEP_RABBITMQ) await rabbitmq('stop');
  },
};
