// A step timed as the benchmarks report it: one warm-up run (pages read into memory, plans cached), then
// `runs` timed runs, in milliseconds.
export interface Timing<T> {
  median: number;
  fastest: number;
  slowest: number;
  /** What the last run answered. */
  result: T;
}

export async function timeAfterWarmUp<T>(runs: number, step: () => Promise<T>): Promise<Timing<T>> {
  let result = await step();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    result = await step();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(runs / 2)]!, fastest: times[0]!, slowest: times[runs - 1]!, result };
}
