/**
 * Where the exported HTML carries its report: a `<script type="application/json">` with
 * this id. Shared by the page writer (html.ts, host side) and the bundle (main.ts).
 */
export const EMBEDDED_REPORT_ID = 'trueslim-report';

/** JSON that can sit inside a <script> element: `<` cannot open `</script>` or `<!--`. */
export function jsonForScriptElement(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
