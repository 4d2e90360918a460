// Debian's Chromium and the flags every harness launches it with (the browser tests, the demo
// test, the benchmark). puppeteer adds --headless (headless: true); each caller passes a fresh
// --user-data-dir.
export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox', // tests run as root, where Chromium's sandbox cannot start
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
