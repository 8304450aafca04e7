export * from './catalogue.ts';
export * from './eventLog.ts';
export * from './publishing.ts';
export * from './consumer.ts';
export * from './readModel.ts';
export * from './directories.ts';
