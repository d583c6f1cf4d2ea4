/**
 * One proxied connection: the client's socket and the dependency's, piped both ways through the
 * toxics active when it opened (each picked by its toxicity). A toxic added later applies to the
 * connections opened after it, as in Toxiproxy; `reset` and `close` act on every open link.
 */
import type { Socket } from 'node:net';
import { bandwidthMs, latencyMs, releaseAt, type Stream, type Toxic } from './toxics.ts';

export interface Link {
  close(): void;
}

function pipeWithToxics(from: Socket, to: Socket, toxics: readonly Toxic[], end: () => void): void {
  const latency = toxics.find((t) => t.type === 'latency');
  const bandwidth = toxics.find((t) => t.type === 'bandwidth');
  const cut = toxics.find((t) => t.type === 'timeout');
  if (cut !== undefined) {
    // Data goes nowhere; the connection stays open until the timeout (0: until the toxic's end).
    from.on('data', () => undefined);
    const ms = cut.attributes.timeout ?? 0;
    if (ms > 0) setTimeout(end, ms).unref();
    return;
  }
  if (latency === undefined && bandwidth === undefined) {
    from.pipe(to);
    return;
  }
  let last = 0;
  let pending = 0;
  let ended = false;
  from.on('data', (chunk: Buffer) => {
    const now = performance.now();
    let delay = latency ? latencyMs(latency.attributes, Math.random()) : 0;
    if (bandwidth)
      delay =
        Math.max(delay, last - now) + bandwidthMs(chunk.length, bandwidth.attributes.rate ?? 1);
    last = releaseAt(last, now, delay);
    pending++;
    if (pending > 16) from.pause();
    setTimeout(() => {
      pending--;
      if (!to.destroyed) to.write(chunk);
      if (pending <= 16) from.resume();
      if (ended && pending === 0) to.end();
    }, last - now);
  });
  from.on('end', () => {
    ended = true;
    if (pending === 0) to.end();
  });
}

export function openLink(client: Socket, upstream: Socket, toxics: readonly Toxic[]): Link {
  const picked = toxics.filter((t) => Math.random() < t.toxicity);
  const of = (stream: Stream) => picked.filter((t) => t.stream === stream);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close);
  upstream.on('error', close);
  client.on('close', close);
  upstream.on('close', close);
  const reset = picked.find((t) => t.type === 'reset_peer');
  if (reset !== undefined) {
    setTimeout(() => {
      client.resetAndDestroy();
      upstream.destroy();
    }, reset.attributes.timeout ?? 0).unref();
  }
  pipeWithToxics(client, upstream, of('upstream'), close);
  pipeWithToxics(upstream, client, of('downstream'), close);
  return { close };
}
