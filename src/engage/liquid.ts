// The Liquid engines every text of the shop's is written in: HTML (email, escaped output) and plain text
// (SMS, webhooks, subjects), each with the same limits on what a template may cost to parse and render.
import { Liquid, type Template as Parsed } from 'liquidjs';

const limits = { parseLimit: 1e6, renderLimit: 1_000, memoryLimit: 1e7 };
export const engines = {
  html: new Liquid({ outputEscape: 'escape', strictFilters: true, ownPropertyOnly: true, ...limits }),
  text: new Liquid({ strictFilters: true, ownPropertyOnly: true, ...limits }),
};

/**
 * A short plain text with variables of its own (the member-card binding code's SMS): parsed, every
 * variable it names checked against `variables`, and each of `required` present. Throws the first
 * problem as a message.
 */
export function compileText(
  text: string,
  variables: readonly string[],
  required: readonly string[],
): Parsed[] {
  const parsed = engines.text.parse(text);
  const named = new Set(engines.text.globalVariablesSync(parsed));
  for (const name of named) {
    if (!variables.includes(name))
      throw new Error(`unknown variable '${name}'; known: ${variables.join(', ')}`);
  }
  for (const name of required) {
    if (!named.has(name)) throw new Error(`must show {{ ${name} }}`);
  }
  return parsed;
}

export function renderText(parsed: Parsed[], vars: Record<string, unknown>): string {
  return engines.text.renderSync(parsed, vars).trim();
}
