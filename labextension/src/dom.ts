/**
 * Small DOM builders shared by the panel's views.
 */

/** A new element with `className` (jp-JupyterExt-… names) and optional text. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text = ''
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  element.className = className;
  if (text) {
    element.textContent = text;
  }
  return element;
}

/** A JupyterLab-styled button that calls `onClick`. */
export function button(className: string, text: string, onClick: () => void): HTMLButtonElement {
  const element = el('button', `jp-mod-styled ${className}`, text);
  element.addEventListener('click', onClick);
  return element;
}

/** A titled section of a detail view: returns the section and the body to fill. */
export function section(title: string, className: string): [HTMLElement, HTMLElement] {
  const box = el('section', `jp-JupyterExt-section ${className}`);
  const heading = el('h3', '', title);
  const body = el('div', '');
  box.append(heading, body);
  return [box, body];
}

/** A two-column key/value table. */
export function table(rows: [string, string][]): HTMLTableElement {
  const element = el('table', 'jp-JupyterExt-table');
  for (const [key, value] of rows) {
    const row = element.insertRow();
    row.insertCell().textContent = key;
    row.insertCell().textContent = value;
  }
  return element;
}

/** A table with a header row and one row per entry of `rows`. */
export function grid(className: string, headers: string[], rows: string[][]): HTMLTableElement {
  const element = el('table', `jp-JupyterExt-table jp-JupyterExt-grid ${className}`);
  const head = element.createTHead().insertRow();
  for (const header of headers) {
    head.append(el('th', '', header));
  }
  const body = element.createTBody();
  for (const values of rows) {
    const row = body.insertRow();
    for (const value of values) {
      row.insertCell().textContent = value;
    }
  }
  return element;
}

/** A status pill (`jp-JupyterExt-status-<status>` colours it); unlike the job detail's badge. */
export function badge(status: string): HTMLSpanElement {
  return el('span', `jp-JupyterExt-pill jp-JupyterExt-status-${status}`, status);
}

/** The local date and time of an ISO time, or '' for none. */
export function localDateTime(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : '';
}
