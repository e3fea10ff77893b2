export * from './schema';
export * from './load';
export { serializeDocument } from './save';
