// Material's search overlay has role="dialog" but no accessible name
// (axe-core: aria-dialog-name). Name it after its own input's label.
document$.subscribe(() => {
  const dialog = document.querySelector(".md-search[role=dialog]");
  const input = document.querySelector(".md-search__input");
  if (dialog && input && !dialog.hasAttribute("aria-label")) {
    dialog.setAttribute("aria-label", input.getAttribute("aria-label") || input.placeholder);
  }
});
