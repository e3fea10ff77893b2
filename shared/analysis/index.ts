export * from './infer';
export * from './summary';
export * from './fixes';
export { buildGraph, topoSort, type Graph } from './graph';
export * from './memory';
