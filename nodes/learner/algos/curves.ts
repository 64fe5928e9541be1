/** Learning curves: a CSV and a hand-written SVG line plot (one panel per numeric column). */

export type CurveRow = Record<string, number | string>;

export function curvesCsv(rows: CurveRow[]): string {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: number | string | undefined): string => (v === undefined || (typeof v === "number" && !Number.isFinite(v)) ? "" : String(v));
  return `${cols.join(",")}\n${rows.map((r) => cols.map((c) => cell(r[c])).join(",")).join("\n")}\n`;
}

/** One panel per numeric column other than `x`, stacked vertically. */
export function curvesSvg(rows: CurveRow[], x: string, title: string): string {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((c) => c !== x && rows.some((r) => typeof r[c] === "number" && Number.isFinite(r[c] as number)));
  const W = 640;
  const H = 140;
  const pad = 48;
  const xs = rows.map((r) => Number(r[x]));
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs, x0 + 1);
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const panels = cols.map((c, k) => {
    const pts = rows.filter((r) => typeof r[c] === "number" && Number.isFinite(r[c] as number)).map((r) => [Number(r[x]), r[c] as number] as const);
    const ys = pts.map((p) => p[1]);
    let y0 = Math.min(...ys);
    let y1 = Math.max(...ys);
    if (y1 - y0 < 1e-12) {
      y0 -= 0.5;
      y1 += 0.5;
    }
    const top = 30 + k * (H + 20);
    const px = (v: number) => pad + ((v - x0) / (x1 - x0)) * (W - 2 * pad);
    const py = (v: number) => top + H - ((v - y0) / (y1 - y0)) * H;
    const path = pts.map((p, i) => `${i === 0 ? "M" : "L"}${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join(" ");
    return [
      `<rect x="${pad}" y="${top}" width="${W - 2 * pad}" height="${H}" fill="none" stroke="#ccc"/>`,
      `<text x="${pad + 4}" y="${top + 14}" font-size="12">${esc(c)}</text>`,
      `<text x="4" y="${top + 10}" font-size="10">${y1.toPrecision(3)}</text>`,
      `<text x="4" y="${top + H}" font-size="10">${y0.toPrecision(3)}</text>`,
      `<path d="${path}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>`,
    ].join("\n");
  });
  const height = 40 + cols.length * (H + 20);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}">
<text x="${pad}" y="18" font-size="14">${esc(title)} (x: ${esc(x)} ${x0}…${x1})</text>
${panels.join("\n")}
</svg>
`;
}
