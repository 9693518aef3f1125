export * from './limits';
export * from './errors';
export * from './names';
export * from './frames';
export * from './line-decoder';
export * from './codec';
