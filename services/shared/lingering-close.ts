/**
 * nginx's lingering close, for HTTP servers. When a server closes a connection while the client
 * may still be sending (a request body refused early with 413, or answered before it all
 * arrived), closing at once makes the kernel answer the unread data with a reset, and a reset can
 * destroy the response before the client has read it. Instead the connection sends its FIN after
 * the response, keeps reading (and dropping) what still arrives until the client closes, a
 * silence of LINGER_IDLE_MS or LINGER_MAX_MS in all, and only then closes.
 */
import type { Socket } from 'node:net';

export const LINGER_IDLE_MS = 5000;
export const LINGER_MAX_MS = 30_000;

const lingering = new WeakSet<Socket>();

function lingeringDestroySoon(this: Socket): void {
  if (lingering.has(this) || this.destroyed) return;
  lingering.add(this);
  this.end();
  const started = Date.now();
  const timer = setTimeout(() => this.destroy(), LINGER_IDLE_MS);
  timer.unref();
  this.on('data', () => {
    if (Date.now() - started < LINGER_MAX_MS) timer.refresh();
  });
  this.once('end', () => this.destroy());
  this.once('close', () => clearTimeout(timer));
  this.resume();
}

/**
 * Makes the HTTP server's "close after this response" (its call to destroySoon) linger on this
 * connection. Install it on every connection, or only when answering before the body arrived.
 */
export function lingerOnClose(socket: Socket): void {
  socket.destroySoon = lingeringDestroySoon;
}
