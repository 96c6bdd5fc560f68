type Child = Node | string | undefined | false;

/**
 * A DOM element with text children set through text nodes: everything shown comes from the
 * address bar or the ledger, so nothing is ever parsed as HTML.
 */
export function createElement(tag: string, attributes: Readonly<Record<string, string>> = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) {
    if (child === undefined || child === false) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}
