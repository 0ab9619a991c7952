import 'reflect-metadata';

// Every object type is declared with simpleResolvers: the API resolves plain objects, so graphql-js's own
// property read is enough and type-graphql's per-field middleware wrapper (a cost on every field of every
// list item) is left out.

export * from './enums';
export * from './page';
export * from './account';
export * from './service';
export * from './service-inputs';
export * from './service-oauth';
export * from './connection';
export * from './connection-access';
export * from './connection-health';
export * from './audit';
export * from './authorization';
export * from './extension';
export * from './invocation';
export * from './webhook';
export * from './deployment';
