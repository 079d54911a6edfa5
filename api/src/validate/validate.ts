/**
 * Validates VoiceAgent and SipTrunk objects the way admission does: defaults first, then the
 * OpenAPI schema, list-type uniqueness and the CEL rules. Used where no API server runs.
 */
import { type TObject } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import { SipTrunk } from '../schema/sip-trunk.js';
import { VoiceAgent } from '../schema/voice-agent.js';
import { extensionErrors } from './extension-errors.js';
import type { FieldError } from './field-error.js';
import { schemaErrors } from './schema-errors.js';

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Returns a deep copy with every schema default filled in, as the API server stores it. */
export function withDefaults<T>(schema: TObject, obj: T): T {
  return Value.Default(schema, Value.Clone(obj)) as T;
}

export const applyVoiceAgentDefaults = <T>(obj: T): T => withDefaults(VoiceAgent, obj);
export const applySipTrunkDefaults = <T>(obj: T): T => withDefaults(SipTrunk, obj);

export function validateVoiceAgent(obj: unknown): FieldError[] {
  return validateResource(VoiceAgent, obj);
}

export function validateSipTrunk(obj: unknown): FieldError[] {
  return validateResource(SipTrunk, obj);
}

/** An object with every default filled in, and what admission would reject in it. */
export interface Checked<T> {
  value: T;
  errors: FieldError[];
}

/**
 * Defaults and validation in one pass. An object the API server stored (its defaults already in
 * place) passes the compiled schema check and is returned as it is, with only the checks beyond
 * the schema (names, list uniqueness, CEL) run on it: the cheap path for an operator's reads.
 */
export const checkVoiceAgent = <T>(obj: T): Checked<T> => checkResource(VoiceAgent, obj);
export const checkSipTrunk = <T>(obj: T): Checked<T> => checkResource(SipTrunk, obj);

const compiled = new Map<TObject, TypeCheck<TObject>>();

function checkResource<T>(schema: TObject, obj: T): Checked<T> {
  let check = compiled.get(schema);
  if (check === undefined) compiled.set(schema, (check = TypeCompiler.Compile(schema)));
  if (!check.Check(obj))
    return { value: withDefaults(schema, obj), errors: validateResource(schema, obj) };
  const value = obj as Record<string, unknown>;
  const errors = [...nameErrors(value.metadata), ...extensionChecks(schema, value, false)];
  return { value: obj, errors };
}

function validateResource(schema: TObject, obj: unknown): FieldError[] {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
    return [{ path: '', message: 'must be an object with apiVersion, kind, metadata and spec' }];
  const { status: _status, ...rest } = obj as Record<string, unknown>;
  const value = withDefaults(schema, rest);
  const errors = [...nameErrors(value.metadata)];
  const structural = schemaErrors(schema, value);
  errors.push(...structural.errors);
  errors.push(...extensionChecks(schema, value, structural.typeMismatch));
  if (structural.typeMismatch)
    errors.push({
      path: '',
      message:
        'Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
    });
  return errors;
}

/** List uniqueness and CEL rules of the spec, then the rules on the whole object (they read metadata.name) once the name is well formed. */
function extensionChecks(
  schema: TObject,
  value: Record<string, unknown>,
  typeMismatch: boolean,
): FieldError[] {
  const spec = (schema.properties as Record<string, unknown>).spec;
  const errors = extensionErrors(spec, value.spec, 'spec', !typeMismatch);
  if (typeMismatch || nameErrors(value.metadata).length > 0) return errors;
  const rootRules = { 'x-kubernetes-validations': schema['x-kubernetes-validations'] as unknown };
  return [...errors, ...extensionErrors(rootRules, value, '', true)];
}

function nameErrors(metadata: unknown): FieldError[] {
  const name = (metadata as { name?: unknown } | undefined)?.name;
  if (name === undefined || name === '')
    return [{ path: 'metadata.name', message: 'Required value: name or generateName is required' }];
  if (typeof name !== 'string' || name.length > 253 || !NAME.test(name))
    return [
      {
        path: 'metadata.name',
        message: `Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`,
      },
    ];
  return [];
}
