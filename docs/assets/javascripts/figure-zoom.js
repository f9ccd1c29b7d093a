// Figures readers can zoom into (hooks/figures.py wraps each figure in a
// link to its image). A click, a tap or Enter opens the image in a modal
// dialog: first fitted to the screen, then, pressing the image, at its full
// size to scroll around (and a phone can pinch-zoom either). Escape, the
// close button or a click beside the image closes it, and the browser puts
// the focus back on the figure.
const words = document.documentElement.lang.startsWith("ko")
  ? { close: "닫기", zoom: "원래 크기로 보기" }
  : { close: "Close", zoom: "Show at full size" };

const dialog = document.createElement("dialog");
dialog.className = "figure-zoom-dialog";
dialog.innerHTML = `
  <form method="dialog"><button class="figure-zoom-close" aria-label="${words.close}">×</button></form>
  <button class="figure-zoom-toggle" aria-pressed="false" aria-label="${words.zoom}"><img alt=""></button>`;
document.body.append(dialog);
const image = dialog.querySelector("img");
const toggle = dialog.querySelector(".figure-zoom-toggle");

toggle.addEventListener("click", () => {
  const full = toggle.getAttribute("aria-pressed") !== "true";
  toggle.setAttribute("aria-pressed", String(full));
  dialog.classList.toggle("full-size", full);
});
// A click on the backdrop (the dialog itself, outside its content) closes it.
dialog.addEventListener("click", (event) => {
  if (event.target === dialog) dialog.close();
});

document.addEventListener("click", (event) => {
  const link = event.target.closest("a.figure-zoom");
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  const figure = link.querySelector("img");
  image.src = link.href;
  image.alt = figure.alt;
  dialog.setAttribute("aria-label", figure.alt);
  toggle.setAttribute("aria-pressed", "false");
  dialog.classList.remove("full-size");
  dialog.showModal();
});
