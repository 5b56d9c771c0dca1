export * from './dockerd.ts';
export * from './docker-cli.ts';
