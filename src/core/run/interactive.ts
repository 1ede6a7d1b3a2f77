/**
 * Whether people (or CI jobs) will run commands in the image that no trace can foresee: a
 * devcontainer, or an image whose command is a bare shell (`bash`, `sh -l`), as CI runner
 * and toolbox images are. Then removing the shell and core utilities is worth a warning.
 */
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh', 'mksh', 'fish']);

export function usedInteractively(kind: 'dockerfile' | 'devcontainer' | 'image' | 'compose', command: string[]): boolean {
  if (kind === 'devcontainer') return true;
  // `busybox sh -l` is `sh -l`.
  const argv = command[0]?.split('/').pop() === 'busybox' ? command.slice(1) : command;
  const [program, ...args] = argv;
  if (!program || !SHELLS.has(program.split('/').pop()!)) return false;
  // `sh -l`, `bash -i`: a shell waiting for input; `sh -c '…'` or a script runs something definite.
  return args.every((a) => a.startsWith('-') && !/^-[a-zA-Z]*c[a-zA-Z]*$/.test(a));
}
