export * from './users.ts';
export * from './employers.ts';
export * from './marketing.ts';
export * from './privacy.ts';
export * from './audit.ts';
export * from './statistics.ts';
export * from './rights.ts';
