/** The storage drivers, as the composition root opens them (for the CLI's data-directory mode). */
export { openStorage, type Storage, type StorageOptions } from '../storage/index.ts';
