// A wide table inside a box that scrolls sideways by itself, so that on a phone the page never
// does. The box is focusable and named, so a keyboard can scroll it and a screen reader can say
// what it holds.

/** `content` in a focusable region that scrolls sideways itself, labelled by `labelId` or `label`. */
export function scrollBox(content, { labelId, label } = {}) {
  const box = document.createElement('div');
  box.className = 'table-scroll';
  box.tabIndex = 0;
  box.setAttribute('role', 'region');
  if (labelId) box.setAttribute('aria-labelledby', labelId);
  else if (label) box.setAttribute('aria-label', label);
  box.append(content);
  return box;
}
