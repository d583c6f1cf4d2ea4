/**
 * Sends the smuggling/malformed corpus to two proxies in front of recording backends and reports,
 * case by case, the status, whether the proxy closed the connection, and how many requests reached
 * a backend; the cases where the verdicts differ are the interesting ones.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { rawExchange, statusOf } from './raw.ts';
import { SMUGGLING_CORPUS } from './smuggling-corpus.ts';

export interface Target {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

export interface Verdict {
  readonly status: number;
  readonly closed: boolean;
  readonly backendHits: number;
}

export interface CorpusRow {
  readonly name: string;
  readonly expect: number;
  readonly verdicts: Record<string, Verdict>;
  readonly differ: boolean;
}

/** `forwarded()` returns how many non-health requests the backends have recorded so far. */
export async function compareCorpus(
  targets: readonly Target[],
  forwarded: () => number,
): Promise<CorpusRow[]> {
  const rows: CorpusRow[] = [];
  for (const c of SMUGGLING_CORPUS) {
    const verdicts: Record<string, Verdict> = {};
    for (const t of targets) {
      const before = forwarded();
      const r = await rawExchange(t.host, t.port, c.raw, 3000);
      await sleep(100);
      verdicts[t.name] = {
        status: statusOf(r.response),
        closed: r.closedByServer,
        backendHits: forwarded() - before,
      };
    }
    const all = Object.values(verdicts);
    const differ = all.some(
      (v) =>
        v.status !== all[0]?.status ||
        v.closed !== all[0]?.closed ||
        v.backendHits !== all[0]?.backendHits,
    );
    rows.push({ name: c.name, expect: c.expect, verdicts, differ });
  }
  return rows;
}

export function corpusTable(rows: readonly CorpusRow[], names: readonly string[]): string {
  const cell = (v: Verdict | undefined) =>
    v === undefined
      ? '-'
      : `${v.status || 'none'}${v.closed ? ' closed' : ' open'}${v.backendHits ? ` HIT×${v.backendHits}` : ''}`;
  const head = `| case | expected | ${names.join(' | ')} | differ |\n|---|---|${names.map(() => '---|').join('')}---|`;
  const body = rows.map(
    (r) =>
      `| ${r.name} | ${r.expect} | ${names.map((n) => cell(r.verdicts[n])).join(' | ')} | ${r.differ ? 'yes' : ''} |`,
  );
  return [head, ...body].join('\n');
}
