/**
 * Uploads at a fixed rate (open loop: each upload starts at its scheduled time whether or not the
 * earlier ones have finished, and its latency counts from that time, so a slow server cannot hide
 * its queueing), and the percentiles of what came back. Measures the generator's own CPU.
 */
import { Agent, FormData, request } from 'undici';

export interface Sent {
  /** Wall-clock time (ms since epoch) the upload was scheduled for. */
  readonly scheduledAt: number;
  readonly latencyMs: number;
  readonly status: number;
  readonly id: number | undefined;
}

export interface Session {
  readonly cookie: string;
}

export interface UploadRun {
  readonly sent: Sent[];
  /** The generator's CPU time over the run, as a share of one core. */
  readonly generatorCpu: number;
  readonly seconds: number;
}

const MAX_IN_FLIGHT = 256;

export async function uploadAtRate(
  entry: string,
  sessions: readonly Session[],
  bytes: Buffer,
  rate: number,
  count: number,
): Promise<UploadRun> {
  const dispatcher = new Agent({ connect: { rejectUnauthorized: false }, connections: 64 });
  const sent: Sent[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const wall0 = Date.now();
  const pending = new Set<Promise<void>>();
  for (let i = 0; i < count; i++) {
    const due = (i * 1000) / rate;
    const wait = due - (performance.now() - t0);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (pending.size >= MAX_IN_FLIGHT) await Promise.race(pending);
    const session = sessions[i % sessions.length] as Session;
    const one = (async () => {
      const form = new FormData();
      form.append('file', new Blob([bytes]), 'photo.jpg');
      let status = 0;
      let id: number | undefined;
      try {
        const res = await request(`${entry}/api/media`, {
          method: 'POST',
          body: form,
          headers: { cookie: session.cookie },
          dispatcher,
          headersTimeout: 120_000,
          bodyTimeout: 120_000,
        });
        status = res.statusCode;
        const body = (await res.body.json()) as { id?: number };
        id = body.id;
      } catch {
        status = 0;
      }
      sent.push({ scheduledAt: wall0 + due, latencyMs: performance.now() - t0 - due, status, id });
    })();
    pending.add(one);
    void one.finally(() => pending.delete(one));
  }
  await Promise.all(pending);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await dispatcher.close();
  return { sent, generatorCpu: (cpu.user + cpu.system) / 1e6 / seconds, seconds };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, at)] as number;
}
