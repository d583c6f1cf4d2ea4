/**
 * Ending a request or one attempt of it: the attempt's connection slot freed (and handed to a
 * request waiting for it), the LB's own answer — with a lingering close while the request body is
 * still arriving — and the finish passes, run once.
 */
import { lingerOnClose } from '../../shared/lingering-close.ts';
import type { Backend } from '../pools/backend.ts';
import { FINISH } from './passes/finish.ts';
import { sendError } from './replies.ts';
import type { ProxyRequest } from './request.ts';

export function endAttempt(r: ProxyRequest): Backend | null {
  const b = r.backend;
  if (b !== null) {
    b.inflight--;
    r.backend = null;
    r.served = b;
    const admission = r.ctx.admission;
    // After the engine's callback has returned: the freed slot may start another request.
    if (admission.waiting > 0) process.nextTick(() => admission.slotFreed(b));
  }
  r.upstream = null;
  return b;
}

/**
 * The answer is complete while the client may still be sending its body: nothing more of it goes
 * anywhere, and the connection closes after the answer without a reset (lingering close).
 */
export function stopReading(r: ProxyRequest): void {
  r.req.unpipe();
  r.req.resume();
  lingerOnClose(r.req.socket);
}

export function reply(r: ProxyRequest, status: number, code: string, message: string): void {
  r.status = status;
  // A request whose body has not all arrived cannot share its connection with the next one.
  const incomplete = !r.req.complete;
  if (incomplete) stopReading(r);
  sendError(r.res, status, code, message, r.id, r.ctx.draining || incomplete);
  finish(r);
}

export function finish(r: ProxyRequest): void {
  if (r.done) return;
  r.done = true;
  const seconds = (performance.now() - r.startedAt) / 1000;
  for (const pass of FINISH) pass(r, seconds);
}
