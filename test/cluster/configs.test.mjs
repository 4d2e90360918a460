// The balancer configurations in the README are the ones the demo and the tests run: each README
// block is what demo/haproxy.mjs or demo/nginx.mjs writes for the demo's ports (PORT 8090, nodes
// on the next ports).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { haproxyConfig } from '../../demo/haproxy.mjs';
import { nginxConfig } from '../../demo/nginx.mjs';

const README = new URL('../../README.md', import.meta.url);
const DEMO = { port: 8090, nodes: ['n1', 'n2', 'n3'].map((name, i) => ({ name, port: 8091 + i })) };

/** The README's fenced blocks of `language`, in order. */
async function readmeBlocks(language) {
  const text = await readFile(README, 'utf8');
  return [...text.matchAll(new RegExp('^```' + language + '\\n([\\s\\S]*?)^```$', 'gm'))].map((m) => m[1]);
}

describe('cluster: the README shows the balancer configurations the tests run', () => {
  it('HAProxy: the server_id hash, and the backend of the JSESSIONID cookie route', async () => {
    const cookieRoute = haproxyConfig({ ...DEMO, balance: 'jsessionid' });
    assert.deepEqual(await readmeBlocks('haproxy'), [haproxyConfig(DEMO), cookieRoute.slice(cookieRoute.indexOf('\nbackend nodes') + 1)]);
  });

  it('nginx', async () => {
    assert.deepEqual(await readmeBlocks('nginx'), [nginxConfig(DEMO)]);
  });
});
