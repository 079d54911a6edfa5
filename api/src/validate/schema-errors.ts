/** Turns TypeBox `Value.Errors` into admission-style field errors. */
import { type TSchema } from '@sinclair/typebox';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';
import { pointerToPath, quote, type FieldError } from './field-error.js';

export interface SchemaErrors {
  readonly errors: FieldError[];
  /**
   * A value is missing, has the wrong type or is not in its enum: the API server then skips the
   * CEL rules (and says so), and so do we.
   */
  readonly typeMismatch: boolean;
}

const BLOCKING = new Set([
  ValueErrorType.ObjectRequiredProperty,
  ValueErrorType.Union,
  ValueErrorType.Integer,
  ValueErrorType.Number,
  ValueErrorType.String,
  ValueErrorType.Boolean,
  ValueErrorType.Object,
  ValueErrorType.Array,
]);

export function schemaErrors(schema: TSchema, value: unknown): SchemaErrors {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  let typeMismatch = false;
  for (const e of Value.Errors(schema, value)) {
    // A missing required field is also reported as a type error of `undefined`: keep one.
    if (e.value === undefined && e.type !== ValueErrorType.ObjectRequiredProperty) continue;
    if (BLOCKING.has(e.type)) typeMismatch = true;
    const err = toFieldError(e);
    const key = `${err.path}\n${err.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      errors.push(err);
    }
  }
  return { errors, typeMismatch };
}

function toFieldError(e: ValueError): FieldError {
  const path = pointerToPath(e.path);
  const s = e.schema as Record<string, unknown>;
  const v = e.value;
  switch (e.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return { path, message: 'Required value' };
    case ValueErrorType.ObjectAdditionalProperties:
      return { path, message: `unknown field ${JSON.stringify(path)}` };
    case ValueErrorType.StringPattern:
      return {
        path,
        message: `Invalid value: ${quote(v)}: ${path} in body should match '${String(s.pattern)}'`,
      };
    case ValueErrorType.Union:
    case ValueErrorType.Literal: {
      const allowed = enumValues(s);
      if (allowed !== undefined)
        return {
          path,
          message: `Unsupported value: ${quote(v)}: supported values: ${allowed.map(supported).join(', ')}`,
        };
      return { path, message: `Invalid value: ${quote(v)}: ${e.message}` };
    }
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.NumberMinimum:
      return {
        path,
        message: `Invalid value: ${quote(v)}: ${path} in body should be greater than or equal to ${String(s.minimum)}`,
      };
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberMaximum:
      return {
        path,
        message: `Invalid value: ${quote(v)}: ${path} in body should be less than or equal to ${String(s.maximum)}`,
      };
    case ValueErrorType.ArrayMinItems:
      return {
        path,
        message: `Invalid value: ${lengthOf(v)}: ${path} in body should have at least ${String(s.minItems)} items`,
      };
    case ValueErrorType.ArrayMaxItems:
      return {
        path,
        message: `Too many: ${lengthOf(v)}: must have at most ${String(s.maxItems)} items`,
      };
    case ValueErrorType.StringMaxLength:
      return { path, message: `Too long: may not be more than ${String(s.maxLength)} bytes` };
    case ValueErrorType.StringMinLength:
      return {
        path,
        message: `Invalid value: ${quote(v)}: ${path} in body should be at least ${String(s.minLength)} chars long`,
      };
    case ValueErrorType.Integer:
    case ValueErrorType.Number:
    case ValueErrorType.String:
    case ValueErrorType.Boolean:
    case ValueErrorType.Object:
    case ValueErrorType.Array:
      return {
        path,
        message: `Invalid value: ${quote(typeName(v))}: ${path} in body must be of type ${schemaType(s)}: ${quote(typeName(v))}`,
      };
    default:
      return { path, message: e.message };
  }
}

function enumValues(s: Record<string, unknown>): unknown[] | undefined {
  if ('const' in s) return [s.const];
  const anyOf = s.anyOf;
  if (!Array.isArray(anyOf)) return undefined;
  const out: unknown[] = [];
  for (const o of anyOf as Record<string, unknown>[]) {
    if (!('const' in o)) return undefined;
    out.push(o.const);
  }
  return out;
}

/** The API server lists supported values as quoted strings, numbers too ("5", "10"). */
function supported(value: unknown): string {
  return JSON.stringify(typeof value === 'string' ? value : JSON.stringify(value));
}

function schemaType(s: Record<string, unknown>): string {
  return typeof s.type === 'string' ? s.type : 'object';
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function lengthOf(v: unknown): number {
  return Array.isArray(v) ? v.length : 0;
}
