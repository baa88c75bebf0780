/**
 * A tiny SVG chart writer for benchmark results (no dependencies, pure):
 * line charts over categorical x positions, grouped bar charts, and strip
 * plots (every sample as a dot, with median and interquartile box) for
 * distributions. Linear or logarithmic y axis.
 */

export const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

export interface Series {
  readonly name: string;
  /** One value per category / x position; undefined or NaN = no point. */
  readonly values: readonly (number | undefined)[];
  readonly color?: string;
  readonly dashed?: boolean;
  /** Per value: draw the point hollow (e.g. a run that did not meet its preconditions). */
  readonly hollow?: readonly boolean[];
}

interface Frame {
  readonly title: string;
  readonly yLabel: string;
  readonly xLabel?: string;
  readonly logY?: boolean;
  readonly width?: number;
  readonly height?: number;
  /** A labelled horizontal reference line (a target). */
  readonly reference?: { readonly value: number; readonly label: string };
}

export interface LineChart extends Frame {
  /** Labels of the x positions (evenly spaced). */
  readonly categories: readonly string[];
  readonly series: readonly Series[];
}

export interface BarChart extends Frame {
  readonly categories: readonly string[];
  readonly series: readonly Series[];
}

export interface StripGroup {
  readonly label: string;
  readonly samples: readonly { readonly name: string; readonly values: readonly number[]; readonly color?: string }[];
}

export interface StripChart extends Frame {
  readonly groups: readonly StripGroup[];
}

const MARGIN = { left: 70, right: 20, top: 40, bottom: 70 };

export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const num = (n: number) => (Math.round(n * 100) / 100).toString();

/** Tick values for [min, max]: 1-2-5 steps (linear) or 1-2-5 × powers of ten (log). */
export function ticks(min: number, max: number, log: boolean): number[] {
  if (log) {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
      for (const m of [1, 2, 5]) {
        const v = m * 10 ** e;
        if (v >= min * 0.999 && v <= max * 1.001) out.push(v);
      }
    }
    return out;
  }
  const span = max - min || 1;
  const raw = span / 6;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= 7) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function formatTick(v: number): string {
  if (v === 0) return "0";
  if (Math.abs(v) >= 1000) return `${v / 1000}k`;
  return Number(v.toPrecision(3)).toString();
}

/** y range covering values, with a zero baseline for linear axes. */
function yRange(values: readonly number[], log: boolean): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  if (finite.length === 0) return log ? [1, 10] : [0, 1];
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  if (log) return [10 ** Math.floor(Math.log10(lo)), 10 ** Math.ceil(Math.log10(hi === lo ? hi * 10 : hi))];
  const top = hi <= 0 ? 1 : hi * 1.1;
  const t = ticks(0, top, false);
  return [Math.min(0, lo), Math.max(top, t[t.length - 1] ?? top)];
}

class Canvas {
  readonly parts: string[] = [];
  readonly w: number;
  readonly h: number;
  readonly plotW: number;
  readonly plotH: number;
  constructor(
    readonly frame: Frame,
    readonly yMin: number,
    readonly yMax: number,
  ) {
    this.w = frame.width ?? 760;
    this.h = frame.height ?? 420;
    this.plotW = this.w - MARGIN.left - MARGIN.right;
    this.plotH = this.h - MARGIN.top - MARGIN.bottom;
  }
  y(v: number): number {
    const f = this.frame.logY
      ? (Math.log10(v) - Math.log10(this.yMin)) / (Math.log10(this.yMax) - Math.log10(this.yMin))
      : (v - this.yMin) / (this.yMax - this.yMin || 1);
    return MARGIN.top + this.plotH * (1 - f);
  }
  text(x: number, y: number, s: string, attrs = ""): void {
    this.parts.push(`<text x="${num(x)}" y="${num(y)}" ${attrs}>${escapeXml(s)}</text>`);
  }
  axes(): void {
    const { frame } = this;
    this.text(this.w / 2, 22, frame.title, 'text-anchor="middle" font-size="15" font-weight="bold"');
    for (const t of ticks(this.yMin, this.yMax, frame.logY === true)) {
      const y = this.y(t);
      this.parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + this.plotW}" y1="${num(y)}" y2="${num(y)}" stroke="#e0e0e0"/>`);
      this.text(MARGIN.left - 6, y + 4, formatTick(t), 'text-anchor="end" font-size="11"');
    }
    this.parts.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${this.plotW}" height="${this.plotH}" fill="none" stroke="#333"/>`);
    this.text(
      16,
      MARGIN.top + this.plotH / 2,
      frame.yLabel,
      `text-anchor="middle" font-size="12" transform="rotate(-90 16 ${num(MARGIN.top + this.plotH / 2)})"`,
    );
    if (frame.xLabel !== undefined)
      this.text(MARGIN.left + this.plotW / 2, this.h - 8, frame.xLabel, 'text-anchor="middle" font-size="12"');
    const ref = frame.reference;
    if (ref !== undefined && ref.value >= this.yMin && ref.value <= this.yMax) {
      const y = this.y(ref.value);
      this.parts.push(
        `<line x1="${MARGIN.left}" x2="${MARGIN.left + this.plotW}" y1="${num(y)}" y2="${num(y)}" stroke="#555" stroke-width="1.5" stroke-dasharray="8 4"/>`,
      );
      this.text(MARGIN.left + this.plotW - 4, y - 4, ref.label, 'text-anchor="end" font-size="11" fill="#555"');
    }
  }
  xLabels(labels: readonly string[], xOf: (i: number) => number): void {
    labels.forEach((label, i) => this.text(xOf(i), MARGIN.top + this.plotH + 16, label, 'text-anchor="middle" font-size="11"'));
  }
  legend(entries: readonly { name: string; color: string; dashed?: boolean; light?: boolean }[]): void {
    let x = MARGIN.left;
    const y = this.h - 30;
    for (const e of entries) {
      this.parts.push(
        `<line x1="${x}" x2="${x + 18}" y1="${y}" y2="${y}" stroke="${e.color}" stroke-width="3"${e.dashed ? ' stroke-dasharray="5 3"' : ""}${e.light ? ' stroke-opacity="0.55"' : ""}/>`,
      );
      this.text(x + 22, y + 4, e.name, 'font-size="11"');
      x += 30 + e.name.length * 6.2;
    }
  }
  svg(): string {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${this.w}" height="${this.h}" viewBox="0 0 ${this.w} ${this.h}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${this.parts.join("\n")}\n</svg>\n`;
  }
}

const colorOf = (s: { color?: string | undefined }, i: number) => s.color ?? PALETTE[i % PALETTE.length]!;
const usable = (v: number | undefined, log: boolean): v is number => v !== undefined && Number.isFinite(v) && (!log || v > 0);

export function lineChart(chart: LineChart): string {
  const log = chart.logY === true;
  const [lo, hi] = yRange(
    chart.series.flatMap((s) => s.values.filter((v): v is number => v !== undefined)),
    log,
  );
  const c = new Canvas(chart, lo, hi);
  c.axes();
  const step = c.plotW / Math.max(1, chart.categories.length);
  const xOf = (i: number) => MARGIN.left + step * (i + 0.5);
  c.xLabels(chart.categories, xOf);
  chart.series.forEach((s, i) => {
    const color = colorOf(s, i);
    const points = s.values.map((v, k) => (usable(v, log) ? [xOf(k), c.y(v)] : undefined));
    const path = points.filter((p): p is number[] => p !== undefined).map(([x, y], k) => `${k === 0 ? "M" : "L"}${num(x!)} ${num(y!)}`);
    if (path.length > 1)
      c.parts.push(
        `<path d="${path.join(" ")}" fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`,
      );
    points.forEach((p, k) => {
      if (p === undefined) return;
      const fill = s.hollow?.[k] === true ? `fill="white" stroke="${color}" stroke-width="2"` : `fill="${color}"`;
      c.parts.push(`<circle cx="${num(p[0]!)}" cy="${num(p[1]!)}" r="4" ${fill}/>`);
    });
  });
  c.legend(chart.series.map((s, i) => ({ name: s.name, color: colorOf(s, i), dashed: s.dashed === true })));
  return c.svg();
}

export function barChart(chart: BarChart): string {
  const log = chart.logY === true;
  const values = chart.series.flatMap((s) => s.values.filter((v): v is number => v !== undefined));
  const [lo, hi] = yRange(chart.reference === undefined ? values : [...values, chart.reference.value], log);
  const c = new Canvas(chart, lo, hi);
  c.axes();
  const groupW = c.plotW / Math.max(1, chart.categories.length);
  const barW = (groupW * 0.8) / Math.max(1, chart.series.length);
  c.xLabels(chart.categories, (i) => MARGIN.left + groupW * (i + 0.5));
  const base = log ? c.y(lo) : c.y(Math.max(0, lo));
  chart.series.forEach((s, i) => {
    const color = colorOf(s, i);
    s.values.forEach((v, k) => {
      if (!usable(v, log)) return;
      const x = MARGIN.left + groupW * k + groupW * 0.1 + barW * i;
      const y = c.y(v);
      c.parts.push(
        `<rect x="${num(x)}" y="${num(Math.min(y, base))}" width="${num(barW * 0.92)}" height="${num(Math.abs(base - y))}" fill="${color}"${s.dashed ? ' fill-opacity="0.55"' : ""}><title>${escapeXml(`${s.name}: ${v}`)}</title></rect>`,
      );
      c.text(x + barW * 0.46, Math.min(y, base) - 3, formatTick(Number(v.toPrecision(3))), 'text-anchor="middle" font-size="9"');
    });
  });
  c.legend(chart.series.map((s, i) => ({ name: s.name, color: colorOf(s, i), light: s.dashed === true })));
  return c.svg();
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function stripChart(chart: StripChart): string {
  const log = chart.logY === true;
  const all = chart.groups.flatMap((g) => g.samples.flatMap((s) => [...s.values]));
  const [lo, hi] = yRange(all, log);
  const c = new Canvas(chart, lo, hi);
  c.axes();
  const groupW = c.plotW / Math.max(1, chart.groups.length);
  c.xLabels(
    chart.groups.map((g) => g.label),
    (i) => MARGIN.left + groupW * (i + 0.5),
  );
  const legend = new Map<string, string>();
  chart.groups.forEach((g, gi) => {
    const slotW = (groupW * 0.8) / Math.max(1, g.samples.length);
    g.samples.forEach((s, si) => {
      const color = colorOf(s, si);
      legend.set(s.name, color);
      const cx = MARGIN.left + groupW * gi + groupW * 0.1 + slotW * (si + 0.5);
      const sorted = s.values.filter((v) => usable(v, log)).sort((a, b) => a - b);
      if (sorted.length === 0) return;
      const [q1, med, q3] = [0.25, 0.5, 0.75].map((q) => quantile(sorted, q)) as [number, number, number];
      const bw = slotW * 0.6;
      c.parts.push(
        `<rect x="${num(cx - bw / 2)}" y="${num(c.y(q3))}" width="${num(bw)}" height="${num(Math.max(1, c.y(q1) - c.y(q3)))}" fill="${color}" fill-opacity="0.15" stroke="${color}"/>`,
      );
      c.parts.push(
        `<line x1="${num(cx - bw / 2)}" x2="${num(cx + bw / 2)}" y1="${num(c.y(med))}" y2="${num(c.y(med))}" stroke="${color}" stroke-width="2.5"/>`,
      );
      sorted.forEach((v, k) => {
        // Deterministic jitter so the plot is reproducible.
        const jitter = (((k * 0.618033988749895) % 1) - 0.5) * bw * 0.8;
        c.parts.push(`<circle cx="${num(cx + jitter)}" cy="${num(c.y(v))}" r="2.2" fill="${color}" fill-opacity="0.7"/>`);
      });
    });
  });
  c.legend([...legend].map(([name, color]) => ({ name, color })));
  return c.svg();
}
