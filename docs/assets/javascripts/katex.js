// Typeset the math that pymdownx.arithmatex (generic: true) leaves in the page.
// Material's document$ fires on every page load, instant navigation included.
document$.subscribe(({ body }) => {
  renderMathInElement(body, {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "$", right: "$", display: false },
      { left: "\\(", right: "\\)", display: false },
      { left: "\\[", right: "\\]", display: true },
    ],
    throwOnError: true,
  });
  // A display equation wider than the text scrolls sideways (extra.css);
  // keyboard users must be able to focus it to scroll it. Widths are known
  // once KaTeX's fonts have loaded, and change with the window.
  const focusWideEquations = () => {
    for (const display of body.querySelectorAll(".katex-display")) {
      if (display.scrollWidth > display.clientWidth) {
        display.tabIndex = 0;
      } else {
        display.removeAttribute("tabindex");
      }
    }
  };
  document.fonts.ready.then(focusWideEquations);
  window.addEventListener("resize", focusWideEquations);
});
