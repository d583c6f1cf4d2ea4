/**
 * What a scenario is: the data the main thread prepared (seeded ids, users to log in as, objects),
 * and, inside each worker thread, a Scenario that logs its users in, sends request i on demand and
 * reports its own checks (cart integrity, thumbnail times) at the end.
 */
import type { Agent } from 'undici';
import type { Outcome } from '../core/engine.ts';

export const SCENARIOS = [
  'read-heavy',
  'sessions',
  'uploads',
  'static',
  'post-reads',
  'feed-reads',
  'writes',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** Prepared once by the main thread, copied to every worker. */
export interface ScenarioData {
  readonly posts: { readonly min: number; readonly max: number };
  readonly authors: { readonly min: number; readonly count: number };
  /** Accounts to log in as; worker w takes every workers-th one starting at w. */
  readonly users: readonly Credentials[];
  /** Object paths (`/files/...`) for the static scenario. */
  readonly objects: readonly string[];
  /** The CDN's origin when the stack has one. */
  readonly cdn: string | null;
  /**
   * Sessions the main thread already opened, the Set-Cookie lines of users[i] at i: a scenario
   * that has them uses them instead of logging in again before every run (password hashing).
   */
  readonly sessions?: readonly (readonly string[])[];
}

export interface WorkerContext {
  readonly agent: Agent;
  readonly origin: string;
  readonly data: ScenarioData;
  readonly random: () => number;
  readonly worker: number;
  readonly workers: number;
  /** This worker's share of the offered rate (open loop) or its connections (closed loop). */
  readonly share: number;
}

export interface ScenarioTotals {
  readonly counters: Readonly<Record<string, number>>;
  /** Extra latency-like series in ms (e.g. time until a thumbnail is ready). */
  readonly series: Readonly<Record<string, readonly number[]>>;
}

export interface Scenario {
  prepare(): Promise<void>;
  send(index: number): Promise<Outcome>;
  finish(): Promise<ScenarioTotals>;
}

export const okStatus = (status: number): boolean => status >= 200 && status < 400;

/** This worker's part of a list shared by all workers. */
export const partOf = <T>(list: readonly T[], worker: number, workers: number): T[] =>
  list.filter((_, i) => i % workers === worker);
