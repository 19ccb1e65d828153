// An unhandled rejection anywhere in a test file fails that file: a background refresh or a
// dropped promise must never surface as one in a user's process.
const failures = [];
function onUnhandled(reason) {
  failures.push(reason);
}
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  if (failures.length > 0) {
    throw new Error(`unhandled rejection(s) during the suite: ${failures.map(String).join('; ')}`);
  }
});
