/**
 * The native stack's development certificate: made in the LB's data directory before anything
 * starts, naming the LB's and the CDN edge's addresses, so both serve the one certificate (a
 * browser or a client trusts one file, `<stack>/lb/data/dev-cert.pem`). The LB finds it there
 * and uses it; the edge is pointed at it (service-env.ts).
 */

import { ensureDevCertificate } from '../../services/shared/tls/dev-certificate.ts';
import type { StackPlan } from '../../services/shared/topology/plan.ts';
import { instancePaths } from './paths.ts';

/** The hosts the certificate must name: the LB's and, when planned, the edge's. Pure. */
export function certificateHosts(plan: StackPlan): string[] {
  return plan.services.filter((s) => s.kind === 'lb' || s.kind === 'cdn').map((s) => s.host);
}

/** Makes (or remakes, when it lacks a host) the certificate; a no-op without an LB. */
export function ensureStackCertificate(plan: StackPlan, stackDir: string): void {
  const lb = plan.services.find((s) => s.kind === 'lb');
  if (lb === undefined) return;
  ensureDevCertificate(instancePaths(stackDir, lb.name).data, certificateHosts(plan));
}
