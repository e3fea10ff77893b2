export * from './contract';
export * from './rpc';
export * from './client';
