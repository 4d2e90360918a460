// puppeteer's configuration (read by its install script and by puppeteer.launch). The tests,
// the demo test and the benchmark drive Debian's Chromium and Firefox ESR (/usr/bin/chromium,
// /usr/bin/firefox-esr, see test/support/engine.mjs), so `npm ci` must not download a browser of
// its own: nothing outside the npm registry is reachable from the machines this project runs on.
module.exports = {
  skipDownload: true,
};
