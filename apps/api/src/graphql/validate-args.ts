import { type ValidationError, type ValidatorOptions, validateSync } from 'class-validator';
import { ArgumentValidationError, type ValidatorFn } from 'type-graphql';

// What type-graphql's built-in validation used here (`validate: {forbidUnknownValues: false,
// stopAtFirstError: false}`, plus its own skipMissingProperties default): unknown values are refused by
// GraphQL itself already.
const OPTIONS: ValidatorOptions = {
  forbidUnknownValues: false,
  stopAtFirstError: false,
  skipMissingProperties: true,
};

const validated = (value: unknown): value is object => value !== null && typeof value === 'object';

/**
 * Input objects checked with class-validator, as type-graphql's built-in validation does, without its
 * per-argument `await import('class-validator')` (a module lookup on every argument of every operation: a
 * measurable share of an invokeUrl call). Errors are the same ArgumentValidationError (BAD_USER_INPUT).
 *
 * Synchronously: no input of the schema has an asynchronous constraint (validate-args.test.ts fails the day
 * one does, since validateSync would skip it), and the promise machinery of the asynchronous validation was
 * a few microtasks per argument on every call (issue 15).
 */
export const validateArgs: ValidatorFn = (value) => {
  if (!validated(value)) return;
  const errors: ValidationError[] = [];
  for (const v of Array.isArray(value) ? value : [value])
    if (validated(v)) errors.push(...validateSync(v, OPTIONS));
  if (errors.length) throw new ArgumentValidationError(errors);
};
