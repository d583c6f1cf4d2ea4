/** Scenario name → factory. */
import { readHeavy } from './read-heavy.ts';
import type { Scenario, ScenarioName, WorkerContext } from './scenario.ts';
import { sessions } from './sessions.ts';
import { feedReads, postReads } from './single-read.ts';
import { staticFiles } from './static.ts';
import { uploads } from './uploads.ts';
import { writes } from './writes.ts';

export const SCENARIO_FACTORIES: Readonly<Record<ScenarioName, (ctx: WorkerContext) => Scenario>> =
  {
    'read-heavy': readHeavy,
    sessions,
    uploads,
    static: staticFiles,
    'post-reads': postReads,
    'feed-reads': feedReads,
    writes,
  };
