// Loaded into a Node service under test (HEAP_PROBE_ENV in ./process-memory.ts): on SIGUSR2 it collects garbage
// and prints the heap in use, so a test can tell what the service holds. Test code only.
const collectGarbage = (globalThis as { gc?: () => void }).gc;
process.on('SIGUSR2', () => {
  collectGarbage?.();
  console.log(`[heap] ${process.memoryUsage().heapUsed}`);
});
