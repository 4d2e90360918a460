// What an app's listener throws from the companion is thrown uncaught: tests collect it instead of failing on it.

/** Runs `run` with uncaught exceptions collected, mocha's own handlers (which fail the test) set aside meanwhile. */
export async function collectUncaught(run) {
  const mochas = process.listeners('uncaughtException');
  const caught = [];
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', (error) => caught.push(error));
  try {
    await run();
  } finally {
    process.removeAllListeners('uncaughtException');
    for (const listener of mochas) process.on('uncaughtException', listener);
  }
  return caught;
}
