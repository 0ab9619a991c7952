import { validateOrReject, type ValidationError, type ValidatorOptions } from 'class-validator';
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
 */
export const validateArgs: ValidatorFn = async (value) => {
  if (!validated(value)) return;
  try {
    if (Array.isArray(value))
      await Promise.all(value.filter(validated).map((v) => validateOrReject(v, OPTIONS)));
    else await validateOrReject(value, OPTIONS);
  } catch (errors) {
    throw new ArgumentValidationError(errors as ValidationError[]);
  }
};
