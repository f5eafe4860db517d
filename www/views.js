// The page's three views (check a mark, educator, about), chosen by the URL's hash so that the
// browser's back button and bookmarks work and every view is a plain link for the keyboard.

const VIEWS = ['check', 'educator', 'about'];

/**
 * Shows the view named by the hash (`check` when there is none); another hash, such as the skip
 * link's `#main`, keeps the current view. `body[data-view]` names
 * the view shown.
 */
export function startViews() {
  let view = 'check';
  const show = () => {
    const wanted = location.hash.slice(1);
    if (VIEWS.includes(wanted)) view = wanted;
    else if (wanted === '') view = 'check';
    for (const section of document.querySelectorAll('main > [data-view]')) section.hidden = section.dataset.view !== view;
    for (const link of document.querySelectorAll('[data-view-link]')) {
      if (link.dataset.viewLink === view) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    document.body.dataset.view = view;
  };
  window.addEventListener('hashchange', () => {
    show();
    document.getElementById('main').focus();
  });
  show();
}
