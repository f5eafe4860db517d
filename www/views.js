// The page's views (check a mark, educator, history, compare, clinician's summary, about),
// chosen by the URL's hash so that the browser's back button and bookmarks work and every view
// is a plain link for the keyboard. A view may take an argument after a slash, e.g.
// `#compare/3` (mark 3) or `#summary/3/5,9` (mark 3, entries 5 and 9).

const VIEWS = ['check', 'educator', 'history', 'compare', 'summary', 'about'];
/** The navigation link marked current for a view without one of its own. */
const PARENT = { compare: 'history', summary: 'history' };
const listeners = new Set();

/** Calls `listener(view, argument)` each time a view is shown (`argument` is '' without one). */
export function onView(listener) { listeners.add(listener); }

/**
 * Shows the view named by the hash (`check` when there is none); another hash, such as the skip
 * link's `#main`, keeps the current view. `body[data-view]` names the view shown.
 */
export function startViews() {
  let view = 'check';
  let argument = '';
  const show = () => {
    const wanted = location.hash.slice(1);
    const [name, ...rest] = wanted.split('/');
    const chosen = VIEWS.includes(name) || wanted === '';
    if (chosen) {
      view = name || 'check';
      argument = decoded(rest.join('/'));
    }
    for (const section of document.querySelectorAll('main > [data-view]')) section.hidden = section.dataset.view !== view;
    const current = view === 'summary' && !argument ? 'check' : PARENT[view] ?? view;
    for (const link of document.querySelectorAll('[data-view-link]')) {
      if (link.dataset.viewLink === current) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    document.body.dataset.view = view;
    if (chosen) listeners.forEach((listener) => listener(view, argument));
  };
  window.addEventListener('hashchange', () => {
    show();
    document.getElementById('main').focus();
  });
  show();
}

function decoded(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
