/** Percentiles and formatting shared by the benchmarks. */
import { readFileSync } from "node:fs";

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  mean: number;
}

export function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), mean: sorted.reduce((s, x) => s + x, 0) / sorted.length };
}

/** `1.23 µs` / `4.56 ms` from nanoseconds. */
export function fmtNs(ns: number): string {
  if (ns < 1_000) return `${ns.toFixed(0)} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(2)} µs`;
  return `${(ns / 1_000_000).toFixed(2)} ms`;
}

export function line(label: string, s: Summary): string {
  return `${label.padEnd(48)} p50 ${fmtNs(s.p50).padStart(10)}   p99 ${fmtNs(s.p99).padStart(10)}   (n=${s.n})`;
}

/** Wall-clock nanoseconds of one call. */
export function timeNs(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0);
}

/**
 * CPU nanoseconds the process's main thread has run, from Linux's
 * /proc/<pid>/task/<pid>/schedstat; undefined elsewhere. process.cpuUsage()
 * also counts V8's background threads (concurrent compilation, GC helpers),
 * which run alongside a cold evaluation; an isolate's own work is the main thread's.
 */
export function mainThreadCpuNs(): number | undefined {
  try {
    return Number(readFileSync(`/proc/${process.pid}/task/${process.pid}/schedstat`, "utf8").split(" ")[0]);
  } catch {
    return undefined;
  }
}
