/** Byte and percentage formatting lives in src/shared so the webview prints the same figures. */
export { formatBytes, reductionPercent } from '../../shared/units';
