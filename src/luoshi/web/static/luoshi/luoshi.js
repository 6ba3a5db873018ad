// Small behaviours of luoshi's pages, kept out of the templates: the Content-Security-Policy
// runs no inline script or event handler attribute.
document.addEventListener("submit", function (event) {
  // A form marked data-next-from-location returns to the page as it is now (filters included,
  // which htmx may have changed in the address bar since the page was rendered).
  var form = event.target;
  if (form instanceof HTMLFormElement && form.hasAttribute("data-next-from-location") && form.elements.next) {
    form.elements.next.value = location.pathname + location.search;
  }
}, true);

document.addEventListener("click", function (event) {
  // A link marked data-carry-query takes the page's current query (the ledger's filters) along,
  // so a download of the ledger is the view the person is looking at.
  var link = event.target instanceof Element ? event.target.closest("a[data-carry-query]") : null;
  if (link) {
    link.search = location.search;
  }
}, true);

document.addEventListener("click", function (event) {
  // A link marked data-back (the error pages' 返回上一页) goes back in the history when there is
  // one; otherwise it is an ordinary link (to the home page).
  var link = event.target instanceof Element ? event.target.closest("a[data-back]") : null;
  if (link && window.history.length > 1 && document.referrer) {
    event.preventDefault();
    window.history.back();
  }
});
