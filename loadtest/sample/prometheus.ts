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
