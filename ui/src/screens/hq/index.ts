// The HQ screens, loaded only when the HQ workspace is shown (App.svelte).
export { default as Dashboard } from './Dashboard.svelte';
export { default as Import } from './Import.svelte';
export { default as Audit } from './Audit.svelte';
