/**
 * CEL admission rules (`x-kubernetes-validations`) paired with a TypeScript twin, so the same rule
 * and message guard the API server and places without one (the local fleet).
 */

export interface CelRule {
  readonly rule: string;
  readonly message: string;
  /** Appended to the path of the schema node that carries the rule, e.g. `.minReplicas`. */
  readonly fieldPath?: string;
}

/** Returns true when `self` satisfies the rule. Only called on values that passed the schema. */
export type CelCheck = (self: never) => boolean;

const checks = new Map<string, CelCheck>();

/** Declares a CEL rule and its TypeScript twin. The rule text keys the twin. */
export function cel<T>(
  rule: string,
  message: string,
  check: (self: T) => boolean,
  fieldPath?: string,
): CelRule {
  checks.set(rule, check);
  return fieldPath === undefined ? { rule, message } : { rule, message, fieldPath };
}

/** The TypeScript twin of a CEL rule declared with `cel()`. */
export function celCheck(rule: string): ((self: unknown) => boolean) | undefined {
  return checks.get(rule) as ((self: unknown) => boolean) | undefined;
}
