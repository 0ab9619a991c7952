import { InvokeUrlInput } from '@connections/schema';
import { getMetadataStorage } from 'class-validator';
import { ArgumentValidationError } from 'type-graphql';
import { validateArgs } from './validate-args';

const input = (values: Partial<InvokeUrlInput>) => Object.assign(new InvokeUrlInput(), values);
// The resolver's data is not read by the validation.
const data = {} as Parameters<typeof validateArgs>[2];
const valid = { connection: 'crm', url: '/contacts', method: 'GET' };

describe('validateArgs', () => {
  it('passes a valid input and values that are not objects', () => {
    expect(validateArgs(input(valid), InvokeUrlInput, data)).toBeUndefined();
    expect(validateArgs('text', String, data)).toBeUndefined();
    expect(validateArgs(null, InvokeUrlInput, data)).toBeUndefined();
  });

  it('refuses an invalid input with every failing field, as BAD_USER_INPUT', () => {
    let thrown: unknown;
    try {
      validateArgs(input({ ...valid, connection: '', method: 'FETCH' }), InvokeUrlInput, data);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ArgumentValidationError);
    const errors = (thrown as ArgumentValidationError).extensions.validationErrors as { property: string }[];
    expect(errors.map((e) => e.property).sort()).toEqual(['connection', 'method']);
  });

  it('checks each object of a list', () => {
    expect(() => validateArgs([input(valid), input({ ...valid, url: '' })], InvokeUrlInput, data)).toThrow(
      ArgumentValidationError,
    );
  });

  // validateSync skips asynchronous constraints: the day an input gets one, validation must await again.
  it('finds no asynchronous constraint on any input of the schema', () => {
    const storage = getMetadataStorage() as unknown as {
      constraintMetadatas: Map<unknown, { async: boolean; name?: string }[]>;
    };
    const constraints = [...storage.constraintMetadatas.values()].flat();
    expect(constraints.length).toBeGreaterThan(0);
    expect(constraints.filter((c) => c.async).map((c) => c.name)).toEqual([]);
  });
});
