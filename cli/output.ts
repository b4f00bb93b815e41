/** What commands print: `Label: value` lines and aligned tables for people, the API's JSON with --json. */

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + "\n");
}

/** `ID: pol-…` lines, exactly as the docs show them (no alignment padding: scripts grep them). */
export function printFields(fields: [label: string, value: string | number | null | undefined][]): void {
  for (const [label, value] of fields) process.stdout.write(`${label}: ${value ?? "-"}\n`);
}

export function printTable(headers: string[], rows: string[][], indent = ""): void {
  if (rows.length === 0) {
    process.stdout.write(`${indent}(none)\n`);
    return;
  }
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    indent +
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd() +
    "\n";
  process.stdout.write(line(headers));
  for (const row of rows) process.stdout.write(line(row));
}

export function note(message: string): void {
  process.stderr.write(message + "\n");
}
