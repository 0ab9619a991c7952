const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * The sandbox pages' look, served as a stylesheet at /sandbox/style.css: the Content-Security-Policy
 * (style-src 'self') refuses inline styles, on these pages as on the console. The OAuth 2.0 consent page,
 * written by the child process, links it too.
 */
export const SANDBOX_CSS = `body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}
button{font-size:1rem;padding:.5rem 1rem;margin-right:.5rem}
form.inline{display:inline}
`;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
