/**
 * Theme for the exported HTML, which opens in a plain browser where VS Code does not
 * inject its `--vscode-*` variables: the Dark Modern / Light Modern values the report and
 * the components read, chosen by the reader's colour scheme. Inside VS Code these are
 * never loaded (the webview gets the live theme).
 */
const DARK: Record<string, string> = {
  'font-family': 'system-ui, -apple-system, "Segoe UI", Ubuntu, sans-serif',
  'font-size': '13px',
  'font-weight': 'normal',
  'editor-font-family': 'ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace',
  'editor-background': '#1f1f1f',
  foreground: '#cccccc',
  descriptionForeground: '#9d9d9d',
  errorForeground: '#f85149',
  focusBorder: '#0078d4',
  'textLink-foreground': '#4daafc',
  'textCodeBlock-background': '#2b2b2b',
  'panel-border': '#2b2b2b',
  'panel-background': '#181818',
  'settings-headerBorder': '#2b2b2b',
  'widget-border': '#313131',
  'button-background': '#0078d4',
  'button-foreground': '#ffffff',
  'button-hoverBackground': '#026ec1',
  'button-secondaryBackground': '#313131',
  'button-secondaryForeground': '#cccccc',
  'button-secondaryHoverBackground': '#3c3c3c',
  'badge-background': '#616161',
  'badge-foreground': '#f8f8f8',
  'input-background': '#313131',
  'input-foreground': '#cccccc',
  'input-border': '#3c3c3c',
  'list-hoverBackground': '#2a2d2e',
  'list-activeSelectionBackground': '#04395e',
  'list-activeSelectionForeground': '#ffffff',
  'list-inactiveSelectionBackground': '#37373d',
  'list-focusOutline': '#0078d4',
  'testing-iconPassed': '#73c991',
  'testing-iconFailed': '#f14c4c',
  'gitDecoration-deletedResourceForeground': '#c74e39',
  'gitDecoration-modifiedResourceForeground': '#e2c08d',
  'editorWarning-foreground': '#cca700',
  'editorInfo-foreground': '#3794ff',
  'editorError-foreground': '#f14c4c',
  'inputValidation-errorBackground': '#5a1d1d',
  'inputValidation-errorBorder': '#be1100',
  'progressBar-background': '#0078d4',
};

const LIGHT: Record<string, string> = {
  ...DARK,
  'editor-background': '#ffffff',
  foreground: '#3b3b3b',
  descriptionForeground: '#717171',
  errorForeground: '#f85149',
  focusBorder: '#005fb8',
  'textLink-foreground': '#005fb8',
  'textCodeBlock-background': '#f2f2f2',
  'panel-border': '#e5e5e5',
  'panel-background': '#f8f8f8',
  'settings-headerBorder': '#e5e5e5',
  'widget-border': '#e5e5e5',
  'button-background': '#005fb8',
  'button-hoverBackground': '#0258a8',
  'button-secondaryBackground': '#e5e5e5',
  'button-secondaryForeground': '#3b3b3b',
  'button-secondaryHoverBackground': '#cccccc',
  'badge-background': '#cccccc',
  'badge-foreground': '#3b3b3b',
  'input-background': '#ffffff',
  'input-foreground': '#3b3b3b',
  'input-border': '#cecece',
  'list-hoverBackground': '#f2f2f2',
  'list-activeSelectionBackground': '#e8e8e8',
  'list-activeSelectionForeground': '#000000',
  'list-inactiveSelectionBackground': '#e4e6f1',
  'list-focusOutline': '#005fb8',
  'testing-iconPassed': '#388a34',
  'testing-iconFailed': '#e51400',
  'gitDecoration-deletedResourceForeground': '#ad0707',
  'gitDecoration-modifiedResourceForeground': '#895503',
  'editorWarning-foreground': '#bf8803',
  'editorInfo-foreground': '#1a85ff',
  'editorError-foreground': '#e51400',
  'inputValidation-errorBackground': '#f2dede',
  'inputValidation-errorBorder': '#be1100',
};

/** The components read a few settings-editor variables; alias them to the input colours. */
const ALIASES: Record<string, string> = {
  'settings-textInputBackground': 'input-background',
  'settings-textInputForeground': 'input-foreground',
  'settings-textInputBorder': 'input-border',
  'settings-dropdownBackground': 'input-background',
  'settings-dropdownForeground': 'input-foreground',
  'settings-dropdownBorder': 'input-border',
  'settings-dropdownListBorder': 'widget-border',
  'settings-checkboxBackground': 'input-background',
  'settings-checkboxForeground': 'input-foreground',
  'settings-checkboxBorder': 'input-border',
  'panelTitle-activeBorder': 'focusBorder',
  'panelTitle-activeForeground': 'foreground',
  'panelTitle-inactiveForeground': 'descriptionForeground',
};

function block(vars: Record<string, string>): string {
  const lines = Object.entries(vars).map(([k, v]) => `--vscode-${k}:${v};`);
  for (const [k, target] of Object.entries(ALIASES)) lines.push(`--vscode-${k}:var(--vscode-${target});`);
  return lines.join('');
}

export const STANDALONE_THEME_CSS =
  `:root{color-scheme:dark;${block(DARK)}}` +
  `@media (prefers-color-scheme: light){:root{color-scheme:light;${block(LIGHT)}}}`;
