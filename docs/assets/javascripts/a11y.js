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

// A display equation wider than the text scrolls sideways, so keyboard
// users must be able to focus it to scroll it (axe-core:
// scrollable-region-focusable). What scrolls is the equation (extra.css) or,
// on a narrow screen, Material's box around it (div.arithmatex). Widths are
// known once KaTeX's fonts have loaded, and change with the window's width.
// (The math itself is typeset at build time: hooks/katex_math.py.)
// Only the equations the browser has drawn are measured: a long chapter's
// blocks far from the screen are laid out only when they near it
// (content-visibility, extra.css), and measuring one of them would lay it out
// now (on a phone, a chapter's equations made one long task of layout), and
// a busy Chromium was seen to report such equations as fitting when they did
// not. Such a block is measured when it nears the screen, and a collapsed
// one when it is opened.
const markIfWide = (box) => {
  if (box.scrollWidth > box.clientWidth) {
    box.tabIndex = 0;
  } else {
    box.removeAttribute("tabindex");
  }
};
const markDrawn = () => {
  for (const box of document.querySelectorAll("div.arithmatex, .katex-display")) {
    if (box.firstElementChild.checkVisibility({ contentVisibilityAuto: true })) markIfWide(box);
  }
};
document.fonts.ready.then(markDrawn);
document.fonts.addEventListener("loadingdone", markDrawn);
document.addEventListener("toggle", markDrawn, true);
document.addEventListener(
  "contentvisibilityautostatechange",
  (event) => {
    if (!event.skipped) markDrawn();
  },
  true,
);
let measuredWidth = window.innerWidth;
window.addEventListener("resize", () => {
  if (window.innerWidth === measuredWidth) return; // (a phone's address bar)
  measuredWidth = window.innerWidth;
  markDrawn();
});
