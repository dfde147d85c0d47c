// LIKE patterns from what the operator typed ("title contains", "name starts with").

/** The typed text matches literally inside a LIKE pattern. */
export function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}
