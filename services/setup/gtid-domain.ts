/**
 * One GTID domain's part of a position (`0-1-5,2-10-7` → domain 2: `2-10-7`). Pure. A master of
 * DB_TOPOLOGY=master-master waits for the other master's own stream only.
 */
export function inDomain(position: string, domain: number): string {
  return position
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.split('-')[0] === String(domain))
    .join(',');
}
