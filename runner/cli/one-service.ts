/**
 * `stop|start|restart <service>` (make stop|start|restart SERVICE=…): one service of the running
 * stack, through the runner that supervises it (control.ts), so a stop stays a stop.
 */
import type { Output } from '../logs/output.ts';
import {
  type ControlOptions,
  restartService,
  type ServiceStatus,
  startService,
  stopService,
} from '../stack/control.ts';

export type ServiceVerb = 'stop' | 'start' | 'restart';

export const isServiceVerb = (v: string): v is ServiceVerb =>
  v === 'stop' || v === 'start' || v === 'restart';

const ACTIONS: Readonly<
  Record<ServiceVerb, (file: string, name: string, o: ControlOptions) => Promise<ServiceStatus>>
> = { stop: stopService, start: startService, restart: restartService };

export async function runServiceCommand(
  verb: ServiceVerb,
  name: string | undefined,
  stackFile: string,
  out: Output,
): Promise<number> {
  if (name === undefined || name === '') {
    process.stderr.write(`usage: cli.js ${verb} <service>   (make ${verb} SERVICE=<name>)\n`);
    return 2;
  }
  out.say('info', `${verb} ${name}: asking the runner`);
  try {
    const s = await ACTIONS[verb](stackFile, name, {});
    out.say('info', `${name} is ${s.state}`, { pid: s.pid, restarts: s.restarts });
    return 0;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    out.say('error', (error as Error).message, {
      code: typeof code === 'string' ? code : 'STACK_ERR_FAILED',
    });
    return 1;
  }
}
