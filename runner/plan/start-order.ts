/**
 * Start order from the plan's dependsOn: each instance's wave is one more than its deepest
 * dependency, so everything in a wave can start in parallel and stopping runs the waves backwards.
 * Pure; rejects unknown dependencies and cycles.
 */

export interface Node {
  readonly name: string;
  readonly dependsOn: readonly string[];
}

export function waves(nodes: readonly Node[]): Map<string, number> {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const wave = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (name: string, from: string): number => {
    const known = wave.get(name);
    if (known !== undefined) return known;
    const node = byName.get(name);
    if (node === undefined) throw new Error(`${from} depends on ${name}, which is not planned`);
    if (visiting.has(name)) throw new Error(`dependency cycle through ${name}`);
    visiting.add(name);
    const depth = node.dependsOn.reduce((max, dep) => Math.max(max, visit(dep, name) + 1), 0);
    visiting.delete(name);
    wave.set(name, depth);
    return depth;
  };
  for (const n of nodes) visit(n.name, n.name);
  return wave;
}

/** Keeps the nodes `keep` accepts and drops dependencies on the others. */
export function restrict<T extends Node>(nodes: readonly T[], keep: (n: T) => boolean): T[] {
  const kept = nodes.filter(keep);
  const names = new Set(kept.map((n) => n.name));
  return kept.map((n) => ({ ...n, dependsOn: n.dependsOn.filter((d) => names.has(d)) }));
}
