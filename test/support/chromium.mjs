// Debian's Chromium and how every harness launches it (the browser tests, the demo test, the
// benchmark): through `puppeteer`, whose own browser download is off (.puppeteerrc.cjs), with
// `executablePath` pointing at the system's Chromium. Each caller passes a fresh userDataDir.
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

/**
 * Launches headless Chromium with the flags above, DevTools over a pipe (no debugging port to
 * open). `options` are puppeteer's launch options (userDataDir, handleSIGINT…).
 * @param {import('puppeteer').LaunchOptions} options
 * @returns {Promise<import('puppeteer').Browser>}
 */
export async function launchChromium(options) {
  // Imported here, not on top: unit-test runs load the browser hooks too and should not pay for it.
  const { default: puppeteer } = await import('puppeteer');
  return puppeteer.launch({ executablePath: CHROMIUM, headless: true, pipe: true, args: CHROMIUM_ARGS, ...options });
}
