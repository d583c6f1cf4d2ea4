/**
 * The Range header (RFC 9110 §14): `bytes=0-99`, `bytes=500-`, `bytes=-200`, several at once.
 * A header this edge cannot parse is ignored (a full 200, as the RFC allows); a parsable one with
 * no satisfiable range is 416. Overlapping or too many ranges are refused as unsatisfiable rather
 * than amplified. Pure.
 */
export interface ByteRange {
  /** First byte, inclusive. */
  readonly start: number;
  /** Last byte, inclusive. */
  readonly end: number;
}

export type RangeResult =
  | { readonly kind: 'none' }
  | { readonly kind: 'unsatisfiable' }
  | { readonly kind: 'ranges'; readonly ranges: readonly ByteRange[] };

export const MAX_RANGES = 16;

const SPEC = /^(\d{0,15})-(\d{0,15})$/;

function one(spec: string, size: number): ByteRange | 'bad' | 'skip' {
  const m = SPEC.exec(spec.trim());
  if (m === null) return 'bad';
  const [, first = '', last = ''] = m;
  if (first === '' && last === '') return 'bad';
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'skip';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Number(last);
  if (last !== '' && end < start) return 'bad';
  if (start >= size) return 'skip';
  return { start, end: Math.min(end, size - 1) };
}

export function parseRange(header: string | undefined, size: number): RangeResult {
  if (header === undefined) return { kind: 'none' };
  const m = /^\s*bytes\s*=\s*(.+)$/i.exec(header);
  if (m === null) return { kind: 'none' };
  const specs = (m[1] ?? '').split(',').filter((s) => s.trim() !== '');
  if (specs.length === 0) return { kind: 'none' };
  if (specs.length > MAX_RANGES) return { kind: 'unsatisfiable' };
  const ranges: ByteRange[] = [];
  for (const spec of specs) {
    const r = one(spec, size);
    if (r === 'bad') return { kind: 'none' };
    if (r !== 'skip') ranges.push(r);
  }
  if (ranges.length === 0) return { kind: 'unsatisfiable' };
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const cur = sorted[i];
    if (prev !== undefined && cur !== undefined && cur.start <= prev.end)
      return { kind: 'unsatisfiable' };
  }
  return { kind: 'ranges', ranges };
}

export const contentRange = (r: ByteRange, size: number): string =>
  `bytes ${r.start}-${r.end}/${size}`;
