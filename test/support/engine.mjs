// The browser engine every puppeteer harness drives (the browser tests, the demo test, the
// benchmark), chosen by one switch: RESOCK_BROWSER=chromium (the default) or firefox. Both are
// Debian's own builds, launched through `puppeteer` with its browser download off
// (.puppeteerrc.cjs): Chromium over the DevTools protocol, Firefox over WebDriver BiDi. WebKit has
// no puppeteer driver; the cross-engine suite (test/engines/) reaches it over classic WebDriver.
// Each caller passes a fresh userDataDir.

/** How each engine is launched; `executablePath` may be overridden (CHROMIUM_BIN, FIREFOX_BIN). */
export const ENGINES = {
  chromium: {
    executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
    debianPackage: 'chromium',
    launchOptions: {
      browser: 'chrome',
      pipe: true, // DevTools over a pipe: no debugging port to open
      args: [
        '--no-sandbox', // tests run as root, where Chromium's sandbox cannot start
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  firefox: {
    executablePath: process.env.FIREFOX_BIN || '/usr/bin/firefox-esr',
    debianPackage: 'firefox-esr',
    launchOptions: {
      browser: 'firefox',
      extraPrefsFirefox: {
        // Nothing outside 127.0.0.1 is reachable here: no update, telemetry or safe-browsing calls.
        'app.update.enabled': false,
        'browser.safebrowsing.malware.enabled': false,
        'browser.safebrowsing.phishing.enabled': false,
        'datareporting.policy.dataSubmissionEnabled': false,
        'network.captive-portal-service.enabled': false,
        'network.connectivity-service.enabled': false,
      },
    },
  },
};

/** The engine the harnesses drive: RESOCK_BROWSER, chromium by default. */
export const ENGINE = selectEngine(process.env.RESOCK_BROWSER);

function selectEngine(name = 'chromium') {
  if (!Object.hasOwn(ENGINES, name)) {
    throw new Error(`RESOCK_BROWSER=${name}: the browser harnesses drive ${Object.keys(ENGINES).join(' or ')}`);
  }
  return name;
}

/** True when the DevTools protocol is there (Chromium): heap checks and CPU profiles need it. */
export const hasDevTools = (engine = ENGINE) => engine === 'chromium';

/**
 * Launches `engine` (ENGINE by default) headless. `options` are puppeteer's launch options
 * (userDataDir, handleSIGINT…).
 * @param {import('puppeteer').LaunchOptions} options
 * @returns {Promise<import('puppeteer').Browser>}
 */
export async function launchBrowser(options, engine = ENGINE) {
  // Imported here, not on top: unit-test runs load the browser hooks too and should not pay for it.
  const { default: puppeteer } = await import('puppeteer');
  const { executablePath, launchOptions, debianPackage } = ENGINES[engine];
  try {
    return await puppeteer.launch({ executablePath, headless: true, ...launchOptions, ...options });
  } catch (error) {
    throw new Error(
      `cannot start ${engine} at ${executablePath} (scripts/ensure-system-deps.sh installs Debian's ${debianPackage}): ${error.message}`,
    );
  }
}
