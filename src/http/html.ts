// The few pages the server writes itself (unsubscribe, the printable package inserts) put customers'
// and shops' text into HTML through this.
export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
