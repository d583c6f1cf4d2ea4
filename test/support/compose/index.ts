/**
 * Every docker-compose.yml check by name, for table-driven tests: the plan consistency checks, the
 * flag checks, the house rules and parity with the native runner.
 */
import type { Check } from './context.ts';
import { FLAG_CHECKS } from './flag-checks.ts';
import { PLAN_CHECKS } from './plan-checks.ts';
import { POLICY_CHECKS } from './policy-checks.ts';
import { RUNNER_CHECKS } from './runner-parity.ts';

export const COMPOSE_CHECKS: Readonly<Record<string, Check>> = {
  ...PLAN_CHECKS,
  ...FLAG_CHECKS,
  ...POLICY_CHECKS,
  ...RUNNER_CHECKS,
};

export { type CheckContext, checkContext, KNOWN_EXTRAS } from './context.ts';
