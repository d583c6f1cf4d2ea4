/** A few values out of a Prometheus text exposition (sums over label sets). Pure. */

export function metricSum(text: string, name: string, labelFilter?: RegExp): number | undefined {
  let found = false;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    if (labelFilter && !labelFilter.test(rest)) continue;
    const value = Number(rest.slice(rest.lastIndexOf(' ') + 1));
    if (!Number.isFinite(value)) continue;
    found = true;
    sum += value;
  }
  return found ? sum : undefined;
}

export function metricMax(text: string, name: string): number | undefined {
  let max: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name} `) && !line.startsWith(`${name}{`)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) max = Math.max(max ?? value, value);
  }
  return max;
}

/** Sums of one metric grouped by the value of one label (`{ primary: 1.2, 'replica-1': 0.4 }`). */
export function metricSumsBy(text: string, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  const pick = new RegExp(`[{,]${label}="([^"]*)"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const key = pick.exec(line)?.[1];
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (key === undefined || !Number.isFinite(value)) continue;
    out[key] = (out[key] ?? 0) + value;
  }
  return out;
}
