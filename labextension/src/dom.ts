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
