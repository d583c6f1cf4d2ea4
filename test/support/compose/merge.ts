/**
 * `docker compose -f a.yml -f b.yml` for the parts our override files use, pure: mappings merge
 * key by key (a service's environment, depends_on), anything else in the later file replaces the
 * earlier one (compose appends some sequences, e.g. ports; the override files add none to an
 * existing service, which mergeProblems reports).
 */
const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function mergeCompose(base: unknown, override: unknown): unknown {
  if (!isMap(base) || !isMap(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    out[key] = key in base ? mergeCompose(base[key], value) : value;
  }
  return out;
}

/** Sequences the override sets on a service the base already has (compose would append them). */
export function mergeProblems(base: unknown, override: unknown): string[] {
  const services = (doc: unknown) => (isMap(doc) && isMap(doc.services) ? doc.services : {});
  const existing = services(base);
  return Object.entries(services(override)).flatMap(([name, service]) =>
    name in existing && isMap(service)
      ? Object.entries(service)
          .filter(([, v]) => Array.isArray(v))
          .map(([key]) => `${name}.${key}: a list over an existing service (compose appends)`)
      : [],
  );
}
