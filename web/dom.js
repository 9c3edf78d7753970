// Builds DOM nodes. Text always goes in as text nodes (textContent), never as HTML: paper text comes
// from documents written by others, and a prompt `<img src=x onerror=…>` must show those characters.

/**
 * `h('p', {class: 'x'}, 'text', child)`: an element with attributes and children. Strings and numbers
 * become text nodes; `on…` attributes become listeners; `true` sets a boolean attribute, and
 * `null`/`undefined`/`false` leave it out.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'checked' || name === 'value' || name === 'disabled') el[name] = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces everything inside `el` with `children`. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}
