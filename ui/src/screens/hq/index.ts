// The HQ screens, loaded only when the HQ workspace is shown: the store's start stays as fast
// as it was (the charts' library is most of their weight).
export { default as Dashboard } from './Dashboard.svelte';
export { default as Import } from './Import.svelte';
export { default as Audit } from './Audit.svelte';
