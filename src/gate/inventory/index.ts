export { holdsFilesIn } from './held-repository.ts';
export { cycloneDxInventory, CYCLONEDX_MEDIA_TYPE, type InventoryDeps, type InventoryQuery } from './cyclonedx.ts';
