/**
 * Whether people (or CI jobs) will run commands in the image that no trace can foresee: a
 * devcontainer, or an image whose command is a bare shell (`bash`, `sh -l`), as CI runner
 * and toolbox images are. Then removing the shell and core utilities is worth a warning.
 */
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh', 'mksh', 'fish', 'busybox']);

export function usedInteractively(kind: 'dockerfile' | 'devcontainer' | 'image', command: string[]): boolean {
  if (kind === 'devcontainer') return true;
  const [program, ...args] = command;
  if (!program) return false;
  const name = program.split('/').pop()!;
  if (!SHELLS.has(name)) return false;
  // `busybox sh`, `sh -l`, `bash -i`: a shell waiting for input; `sh -c '…'` or a script runs something definite.
  const rest = name === 'busybox' ? args.slice(1) : args;
  if (name === 'busybox' && !SHELLS.has(args[0] ?? '')) return false;
  return rest.every((a) => a.startsWith('-') && !/^-[a-zA-Z]*c[a-zA-Z]*$/.test(a));
}
