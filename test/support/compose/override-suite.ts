/**
 * The tests every compose override file shares: docker-compose.yml merged with the override
 * passes each compose check against the plan for `flags`, the override only adds maps to the
 * base's services, and both validate against the schema. Returns what a test file needs for its
 * own tests (the merged document, the plan, the check context).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StackPlan } from '../../../services/shared/topology/plan.ts';
import type { CheckContext } from './context.ts';
import { COMPOSE_DOC, contextFor, planFor } from './fixture.ts';
import { COMPOSE_CHECKS } from './index.ts';
import { interpolateDocument } from './interpolate.ts';
import { loadComposeSchema, parseCompose, repoFile } from './load.ts';
import { mergeCompose, mergeProblems } from './merge.ts';
import { composeValidator } from './schema.ts';

export interface OverrideSuite {
  readonly merged: unknown;
  readonly plan: StackPlan;
  readonly ctx: CheckContext;
}

export function overrideSuite(
  overrideFile: string,
  flags: Readonly<Record<string, string>>,
): OverrideSuite {
  const override = parseCompose(repoFile(overrideFile));
  const merged = mergeCompose(COMPOSE_DOC, override);
  const plan = planFor(flags);
  const ctx = contextFor(merged, { plan, env: flags });
  const label = Object.entries(flags)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');

  for (const [name, check] of Object.entries(COMPOSE_CHECKS)) {
    test(`docker-compose.yml + ${overrideFile} passes "${name}" against the ${label} plan`, () => {
      assert.deepEqual(check(ctx), []);
    });
  }

  test('the override only adds maps to the base’s services, and validates against the schema', () => {
    assert.deepEqual(mergeProblems(COMPOSE_DOC, override), []);
    const validate = composeValidator(loadComposeSchema());
    assert.deepEqual(validate(interpolateDocument(override, flags).value), []);
    assert.deepEqual(validate(interpolateDocument(merged, flags).value), []);
  });

  return { merged, plan, ctx };
}
