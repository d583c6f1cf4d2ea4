/** The Kubernetes HPA manifest states the same policy as the autoscaler's defaults. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import YAML from 'yaml';
import { findRepoDir } from '../../../runner/host/repo-dir.ts';
import { loadAutoscalerConfig } from '../../../services/autoscaler/config.ts';

interface Hpa {
  apiVersion: string;
  kind: string;
  spec: {
    minReplicas: number;
    maxReplicas: number;
    metrics: { pods: { target: { averageValue: string } } }[];
    behavior: Record<
      'scaleUp' | 'scaleDown',
      { stabilizationWindowSeconds: number; policies: { value: number; periodSeconds: number }[] }
    >;
  };
}

test('infra/k8s/web-hpa.yaml matches the autoscaler defaults', () => {
  const hpa = YAML.parse(
    readFileSync(join(findRepoDir(), 'infra/k8s/web-hpa.yaml'), 'utf8'),
  ) as Hpa;
  const { policy } = loadAutoscalerConfig({ AUTOSCALE_ACTUATOR: 'runner:/x' });
  assert.equal(hpa.apiVersion, 'autoscaling/v2');
  assert.equal(hpa.kind, 'HorizontalPodAutoscaler');
  assert.equal(hpa.spec.minReplicas, policy.min);
  assert.equal(hpa.spec.maxReplicas, policy.max);
  assert.equal(Number(hpa.spec.metrics[0]?.pods.target.averageValue), policy.target);
  const { scaleUp, scaleDown } = hpa.spec.behavior;
  assert.equal(scaleUp.stabilizationWindowSeconds, 0);
  assert.equal(scaleDown.stabilizationWindowSeconds * 1000, policy.stabilisationMs);
  assert.equal(scaleUp.policies[0]?.value, policy.maxStep);
  assert.equal(scaleDown.policies[0]?.value, policy.maxStep);
  assert.equal((scaleUp.policies[0]?.periodSeconds ?? 0) * 1000, policy.scaleOutCooldownMs);
  assert.equal((scaleDown.policies[0]?.periodSeconds ?? 0) * 1000, policy.scaleInCooldownMs);
});
