export * from './contract.ts';
export * from './dispatch.ts';
export * from './words.ts';
