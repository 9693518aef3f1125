/**
 * Preloaded into the bench's servers (ClassChat and ceiling alike) for the idle scenario:
 * `node --expose-gc --require gc-on-signal.cjs`. On SIGUSR2 it runs a full garbage collection
 * and prints `gc-done {memoryUsage}`, so the bench can read memory held per connection rather
 * than garbage left from the login phase. The product never loads it.
 */
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  process.stdout.write(`gc-done ${JSON.stringify(process.memoryUsage())}\n`);
});
