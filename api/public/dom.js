// DOM helpers shared by the dashboard's modules (app.js, months.js, compare.js).

export const $ = id => document.getElementById(id)

/** An element with attributes (className, text, or any attribute; false/null/undefined left out) and children. */
export function el (tag, attrs = {}, ...children) {
  const node = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue
    if (k === 'className') node.className = v
    else if (k === 'text') node.textContent = v
    else node.setAttribute(k, v === true ? '' : String(v))
  }
  for (const c of children) node.append(c)
  return node
}
