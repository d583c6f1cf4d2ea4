/**
 * A worker process: waits for its config from the primary, proxies, follows the primary's view.
 * If it cannot start (bad certificate, port taken) or fails later, it tells the primary why and
 * exits 1; the primary decides whether to start another.
 */

import { createLogger } from '../../shared/logger.ts';
import { takeSnapshot } from '../admin/stats.ts';
import { createLb, type Lb } from '../app.ts';
import { listenLb } from '../listeners/listen.ts';
import { applyMembers, type MembersMessage, type ToPrimary, type ToWorker } from './messages.ts';

const send = (m: ToPrimary) => process.send?.(m);

/** Reports the error to the primary, then exits 1 (after the message is out, or 1 s at most). */
function fail(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  const exit = () => process.exit(1);
  setTimeout(exit, 1000).unref();
  if (process.send === undefined || !process.connected) exit();
  else process.send({ type: 'failed', message } satisfies ToPrimary, undefined, {}, exit);
}

export function runWorker(): void {
  let lb: Lb | null = null;
  let pending: MembersMessage | null = null;
  const ignore = () => {};
  process.on('SIGTERM', ignore);
  process.on('SIGINT', ignore);
  process.on('disconnect', () => process.exit(0));

  const handle = async (m: ToWorker): Promise<void> => {
    if (m.type === 'config') {
      const logger = createLogger({
        service: 'lb',
        instance: `${m.config.instance}/w${process.pid}`,
        level: m.config.logLevel,
      });
      lb = createLb(m.config, {
        logger,
        role: 'worker',
        reportEject: (key, reason, reachable) => send({ type: 'eject', key, reason, reachable }),
      });
      if (pending !== null) applyMembers(lb.registry, pending);
      const ports = await listenLb(lb);
      send({ type: 'listening', http: ports.http, https: ports.https });
      return;
    }
    if (m.type === 'members') {
      if (lb === null) pending = m;
      else applyMembers(lb.registry, m);
      return;
    }
    if (lb === null) return;
    if (m.type === 'stats-request') {
      send({
        type: 'stats',
        id: m.id,
        snapshot: takeSnapshot(lb.registry, lb.context.rejected, 'worker', (p) =>
          lb === null ? 0 : lb.context.admission.queuedIn(p),
        ),
      });
    } else if (m.type === 'drain') {
      await lb.close();
      process.exit(0);
    }
  };
  process.on('message', (m: ToWorker) => {
    handle(m).catch(fail);
  });
  send({ type: 'ready' });
}
