// Small shared pieces of the benchmark scripts.
import { fileURLToPath } from 'node:url';

/** Median, p90 and minimum of `values` (ms), sorted once. */
export function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: sorted[Math.floor(sorted.length / 2)],
    p90: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))],
    min: sorted[0],
    n: sorted.length,
  };
}

/** Whether the module at `url` is the script node was started with. */
export function isMain(url) {
  return process.argv[1] === fileURLToPath(url);
}
