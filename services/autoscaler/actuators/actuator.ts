/**
 * What the autoscaler needs from whatever runs the web servers: how many each pool has now, and
 * "make it N" (resolving once the new servers are in rotation and the leaving ones are gone).
 * Natively that is the runner (runner.ts); in compose, the Docker Engine API (docker.ts).
 */

export interface ScaledServer {
  readonly name: string;
  readonly action: 'added' | 'removed' | 'failed';
  /** Added: from launch until it answered /health/ready (null when not measured). */
  readonly readyMs: number | null;
  readonly slowStart: boolean;
  readonly error?: string;
}

export interface Actuation {
  readonly pool: string;
  readonly replicas: number;
  readonly servers: readonly ScaledServer[];
}

export interface Actuator {
  readonly kind: 'runner' | 'docker';
  /** Servers per pool now (pools the actuator does not know are absent). */
  current(): Promise<ReadonlyMap<string, number>>;
  scaleTo(pool: string, replicas: number): Promise<Actuation>;
}
