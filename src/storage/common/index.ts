export * from './cursor.ts';
export * from './json.ts';
export * from './migrations.ts';
export * from './validate.ts';
export * from './audit-event.ts';
export * from './decision-row.ts';
export * from './condition.ts';
export * from './checked-read.ts';
