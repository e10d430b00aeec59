// How the command reports an error: one line on stderr, starting with "pixprep".
//
// Library messages that can reach the command already start with "pixprep: " (heap growth, the platform check in
// serialize, the detached batch array) or "pixprep internal error", and the command's own with "pixprep <command>:";
// prefixing every message unconditionally printed "pixprep: pixprep: ...". So the prefix is added only when missing.

/** The line to print for `error`: its message, prefixed with "pixprep: " unless it already names pixprep. */
export function errorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return /^pixprep\b/.test(message) ? message : `pixprep: ${message}`;
}
