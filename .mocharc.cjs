// Root hooks of the browser tests (close each test's pages, and Chromium at the end). They are
// here rather than on one npm script so that `npx mocha test/browser/x.test.mjs` works too, and
// they cost nothing in a run that opens no page, such as the unit tests.
module.exports = {
  require: ['test/support/browser.mjs'],
};
