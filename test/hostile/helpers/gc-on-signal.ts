/**
 * Preloaded (`node --expose-gc -r gc-on-signal.js`) into the server child process by the hostile
 * tests only: on SIGUSR2 it runs a full garbage collection and prints one line with the heap
 * figures, so the test can read a settled RSS from /proc. The product never loads it.
 */
const collect = (globalThis as { gc?: () => void }).gc;

process.on('SIGUSR2', () => {
  collect?.();
  const { heapUsed, heapTotal, rss, external } = process.memoryUsage();
  process.stdout.write(`gc-done heapUsed=${heapUsed} heapTotal=${heapTotal} external=${external} rss=${rss}\n`);
});
