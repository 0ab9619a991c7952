import 'reflect-metadata';

export * from './enums';
export * from './page';
export * from './account';
export * from './service';
export * from './connection';
export * from './audit';
export * from './authorization';
export * from './extension';
