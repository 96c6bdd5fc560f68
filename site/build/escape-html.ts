const SPECIAL = /[&<>"']/;
const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Ledger values (URLs, port names) go into pre-rendered pages as text, never as markup. */
export function escapeHtml(text: string): string {
  // Most URLs and names need no escaping; testing first skips the replace and its garbage.
  return SPECIAL.test(text) ? text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c) : text;
}
