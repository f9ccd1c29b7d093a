// Material's search overlay has role="dialog" but no accessible name
// (axe-core: aria-dialog-name). Name it after its own input's label.
document$.subscribe(() => {
  const dialog = document.querySelector(".md-search[role=dialog]");
  const input = document.querySelector(".md-search__input");
  if (dialog && input && !dialog.hasAttribute("aria-label")) {
    dialog.setAttribute("aria-label", input.getAttribute("aria-label") || input.placeholder);
  }
});

// With content.tooltips (the glossary tooltips), Material moves a button's
// title into its own tooltip on hover and removes the attribute, which left
// the copy buttons with no accessible name (axe-core: button-name). Copy each
// button's title into aria-label as soon as it is set, including on the
// buttons Material adds to code blocks after the page has loaded.
const nameButton = (button) => {
  if (button.title && !button.hasAttribute("aria-label")) {
    button.setAttribute("aria-label", button.title);
  }
};
document.querySelectorAll("button[title]").forEach(nameButton);
new MutationObserver((changes) => {
  for (const change of changes) {
    const nodes = change.type === "attributes" ? [change.target] : change.addedNodes;
    nodes.forEach((node) => {
      if (node.nodeType !== Node.ELEMENT_NODE) return;
      if (node.matches("button[title]")) nameButton(node);
      node.querySelectorAll("button[title]").forEach(nameButton);
    });
  }
}).observe(document.body, { childList: true, subtree: true, attributeFilter: ["title"] });

// A display equation wider than the text scrolls sideways (extra.css), so
// keyboard users must be able to focus it to scroll it (axe-core:
// scrollable-region-focusable). Widths are known once KaTeX's fonts have
// loaded, and change with the window. (The math itself is typeset at
// build time: hooks/katex_math.py.)
const focusWideEquations = () => {
  for (const display of document.querySelectorAll(".katex-display")) {
    if (display.scrollWidth > display.clientWidth) {
      display.tabIndex = 0;
    } else {
      display.removeAttribute("tabindex");
    }
  }
};
document.fonts.ready.then(focusWideEquations);
window.addEventListener("resize", focusWideEquations);
