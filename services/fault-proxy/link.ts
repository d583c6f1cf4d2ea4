/**
 * One proxied connection: the client's socket and the dependency's, piped both ways through the
 * proxy's toxics as they are now (added or removed while the connection is open, as Toxiproxy
 * does: pooled connections feel a new toxic at once). Whether a toxic touches this connection is
 * decided once per toxic by its toxicity.
 */
import type { Socket } from 'node:net';
import { bandwidthMs, latencyMs, releaseAt, type Stream, type Toxic } from './toxics.ts';

export interface Link {
  /** A toxic was added: reset_peer and timeout start their timers. */
  added(toxic: Toxic): void;
  close(): void;
}

const MAX_QUEUED_CHUNKS = 16;

export function openLink(client: Socket, upstream: Socket, current: () => readonly Toxic[]): Link {
  const touched = new Map<string, boolean>();
  const mine = (stream: Stream) =>
    current().filter((t) => {
      if (t.stream !== stream) return false;
      if (!touched.has(t.name)) touched.set(t.name, Math.random() < t.toxicity);
      return touched.get(t.name) === true;
    });
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    client.destroy();
    upstream.destroy();
  };
  for (const s of [client, upstream]) {
    s.on('error', close);
    s.on('close', close);
  }

  const pump = (from: Socket, to: Socket, stream: Stream) => {
    let last = 0;
    let queued = 0;
    let ended = false;
    const send = (chunk: Buffer) => {
      if (!to.destroyed) to.write(chunk);
    };
    from.on('data', (chunk: Buffer) => {
      const toxics = mine(stream);
      if (toxics.some((t) => t.type === 'timeout')) return; // dropped, as Toxiproxy does
      const latency = toxics.find((t) => t.type === 'latency');
      const bandwidth = toxics.find((t) => t.type === 'bandwidth');
      if (latency === undefined && bandwidth === undefined && queued === 0) return send(chunk);
      const now = performance.now();
      let delay = latency ? latencyMs(latency.attributes, Math.random()) : 0;
      if (bandwidth)
        delay =
          Math.max(delay, last - now) + bandwidthMs(chunk.length, bandwidth.attributes.rate ?? 1);
      last = releaseAt(last, now, delay);
      if (++queued > MAX_QUEUED_CHUNKS) from.pause();
      setTimeout(() => {
        send(chunk);
        if (--queued <= MAX_QUEUED_CHUNKS) from.resume();
        if (ended && queued === 0) to.end();
      }, last - now);
    });
    from.on('end', () => {
      ended = true;
      if (queued === 0) to.end();
    });
  };
  pump(client, upstream, 'upstream');
  pump(upstream, client, 'downstream');

  const link: Link = {
    added(toxic) {
      if (!mine(toxic.stream).includes(toxic)) return;
      const ms = toxic.attributes.timeout ?? 0;
      if (toxic.type === 'reset_peer')
        setTimeout(() => {
          if (!closed && current().includes(toxic)) {
            closed = true;
            client.resetAndDestroy();
            upstream.destroy();
          }
        }, ms).unref();
      if (toxic.type === 'timeout' && ms > 0)
        setTimeout(() => {
          if (current().includes(toxic)) close();
        }, ms).unref();
    },
    close,
  };
  for (const toxic of current()) link.added(toxic);
  return link;
}
