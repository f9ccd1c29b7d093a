// The encoding playground: pick or draw a digit, pick an encoder and its
// settings, and see the spikes. The encoders and decoders are in
// encoders.js and decoders.js; this file builds the controls, draws, and
// keeps the settings in the address (?encoder=latency&tau=5...).

import * as E from "./encoders.js";
import * as D from "./decoders.js";

const SITE = new URL("../../../", import.meta.url); // assets/javascripts/playground/ -> site root
const DIGITS = new URL("figures/encoding_lab/playground_digits.json", SITE);
const LANG = document.documentElement.lang === "ko" ? "ko" : "en";

// ---- what the reader can choose --------------------------------------------

// [min, max, step, default] for a number, or a boolean default
export const ENCODERS = {
  rate: {
    params: { num_steps: [1, 200, 1, 100], gain: [0, 2, 0.05, 1] },
    random: true,
    encode: (x, p, seed) => E.rate(x, p, seed),
    decode: D.rateDecode,
    call: (a) => `spikegen.rate(x, ${a})`,
  },
  latency: {
    params: {
      num_steps: [1, 200, 1, 100],
      tau: [0.5, 20, 0.5, 1],
      threshold: [0.01, 0.99, 0.01, 0.01],
      linear: false,
      normalize: false,
      clip: false,
    },
    encode: (x, p) => E.latency(x, p),
    decode: D.firstSpikeValue,
    call: (a) => `spikegen.latency(x, ${a})`,
  },
  delta: {
    moving: true,
    params: { threshold: [0.01, 1, 0.01, 0.1], padding: false, off_spike: false },
    encode: (video, p) => E.delta(video, p),
    decode: D.deltaDecode,
    call: (a) => `spikegen.delta(frames, ${a})`,
  },
  poisson: {
    lab: true,
    random: true,
    params: { num_steps: [1, 200, 1, 100], f_max: [0, 1000, 10, 100], dt: [0.0005, 0.005, 0.0005, 0.001] },
    encode: (x, p, seed) => E.poisson(x, p, seed),
    decode: D.poissonDecode,
    call: (a) => `poisson_encode(x, ${a})`,
  },
  population: {
    lab: true,
    params: { num_steps: [2, 100, 1, 20], num_neurons: [2, 16, 1, 8], r_min: [0, 1, 0.05, 0.1] },
    encode: (x, p) => E.population(x, p),
    decode: D.populationDecode,
    call: (a) => `population_encode(x, ${a})`,
  },
  rank_order: {
    lab: true,
    order: true, // its decoder gives an order, not pixel values
    params: { num_steps: [1, 784, 1, 300] },
    encode: (x, p) => E.rankOrder(x, p),
    decode: D.rankOrderDecode,
    call: (a) => `rank_order_encode(x.view(1, -1), ${a})`,
  },
  phase: {
    lab: true,
    params: { num_steps: [1, 64, 1, 16], bits: [1, 8, 1, 8] },
    encode: (x, p) => E.phase(x, p),
    decode: D.phaseDecode,
    call: (a) => `phase_encode(x, ${a})`,
  },
  burst: {
    lab: true,
    params: { num_steps: [1, 100, 1, 20], max_spikes: [1, 10, 1, 5], max_isi: [1, 20, 1, 10], min_isi: [1, 20, 1, 2] },
    encode: (x, p) => E.burst(x, p),
    decode: D.burstDecode,
    call: (a) => `burst_encode(x, ${a})`,
  },
  step_forward: {
    lab: true,
    moving: true,
    params: { threshold: [0.01, 1, 0.01, 0.1] },
    encode: (video, p) => E.stepForward(video, p),
    decode: D.stepForwardDecode,
    call: (a) => `step_forward_encode(frames, ${a})[0]`,
  },
};

const TEXT = {
  ko: {
    input: "입력",
    digits: "MNIST 숫자",
    digit: (i, label) => `${i}번 표본 (숫자 ${label})`,
    draw: "직접 그리기",
    drawHint: "마우스나 손가락, 펜으로 숫자를 그리세요. 그린 숫자는 MNIST처럼 20×20 상자에 맞게 크기를 맞추고, 무게중심이 가운데 오도록 옮깁니다.",
    canvasLabel: "숫자를 그리는 28×28 캔버스",
    undo: "되돌리기",
    clear: "모두 지우기",
    encoder: "인코더",
    settings: "설정",
    seed: "시드",
    newDraw: "새로 뽑기",
    names: {
      rate: "레이트 코딩",
      latency: "지연 시간 코딩",
      delta: "델타 변조 (움직이는 숫자)",
      poisson: "포아송 인코딩 (실험실)",
      population: "집단 코딩 (실험실)",
      rank_order: "순위 코딩 (실험실)",
      phase: "위상 코딩 (실험실)",
      burst: "버스트 코딩 (실험실)",
      step_forward: "스텝 포워드 인코딩 (실험실, 움직이는 숫자)",
    },
    params: {
      num_steps: "시간 단계 수",
      gain: "이득",
      tau: "시상수",
      threshold: "문턱값",
      linear: "선형",
      normalize: "시간 늘이기",
      clip: "문턱값 아래 제거",
      padding: "첫 프레임과 비교",
      off_spike: "오프 스파이크",
      f_max: "최대 발화율 (Hz)",
      dt: "시간 단계 길이 (초)",
      num_neurons: "픽셀당 뉴런 수",
      r_min: "최소 반응",
      bits: "비트 수",
      max_spikes: "최대 스파이크 수",
      max_isi: "최대 스파이크 간 간격",
      min_isi: "최소 스파이크 간 간격",
    },
    raster: "래스터 플롯",
    rasterLabel: (units, steps, count) =>
      `래스터 플롯: 가로는 시간 단계 ${steps}개, 세로는 뉴런 ${units}개, 스파이크 ${count}개`,
    frame: "시각 t의 스파이크",
    frameLabel: (t, on, off) => `시간 단계 ${t}의 28×28 프레임: 온 스파이크 ${on}개, 오프 스파이크 ${off}개`,
    play: "재생",
    pause: "일시 정지",
    time: "시간 단계",
    decoded: "디코딩한 이미지",
    decodedLast: "디코딩한 이미지 (마지막 프레임)",
    decodedLabel: (has) => (has ? "스파이크에서 되찾은 28×28 이미지" : "이 설정에는 디코더가 없습니다"),
    noDecoder: "이 설정에는 디코더가 없습니다.",
    numbers: "수치",
    count: "스파이크 수",
    perPixel: "픽셀당 스파이크 수",
    first: "평균 첫 스파이크 시각",
    error: "디코딩 오차 (MSE)",
    na: "해당 없음",
    python: "같은 Python 코드",
    copy: "복사",
    copied: "복사했습니다",
    legend: "파란 점: 온 스파이크 (+1), 주황 점: 오프 스파이크 (−1)",
    error_: "snnTorch가 내는 오류",
  },
  en: {
    input: "Input",
    digits: "MNIST digits",
    digit: (i, label) => `digit ${i} (a ${label})`,
    draw: "Draw your own",
    drawHint: "Draw a digit with a mouse, finger or pen. As in MNIST, it is scaled into a 20×20 box and centred by its centre of mass.",
    canvasLabel: "28×28 canvas to draw a digit on",
    undo: "Undo",
    clear: "Clear all",
    encoder: "Encoder",
    settings: "Settings",
    seed: "Seed",
    newDraw: "New draw",
    names: {
      rate: "Rate coding",
      latency: "Latency coding",
      delta: "Delta modulation (moving digit)",
      poisson: "Poisson encoding (lab)",
      population: "Population coding (lab)",
      rank_order: "Rank order coding (lab)",
      phase: "Phase coding (lab)",
      burst: "Burst coding (lab)",
      step_forward: "Step-forward encoding (lab, moving digit)",
    },
    params: {
      num_steps: "time steps",
      gain: "gain",
      tau: "time constant",
      threshold: "threshold",
      linear: "linear",
      normalize: "normalize",
      clip: "drop values below threshold",
      padding: "compare with the first frame",
      off_spike: "off-spikes",
      f_max: "maximum rate (Hz)",
      dt: "time step (s)",
      num_neurons: "neurons per pixel",
      r_min: "smallest response",
      bits: "bits",
      max_spikes: "most spikes",
      max_isi: "largest interval",
      min_isi: "smallest interval",
    },
    raster: "Raster plot",
    rasterLabel: (units, steps, count) =>
      `Raster plot: ${steps} time steps across, ${units} neurons down, ${count} spikes`,
    frame: "Spikes at time t",
    frameLabel: (t, on, off) => `28×28 frame at time step ${t}: ${on} on-spikes, ${off} off-spikes`,
    play: "Play",
    pause: "Pause",
    time: "time step",
    decoded: "Decoded image",
    decodedLast: "Decoded image (last frame)",
    decodedLabel: (has) => (has ? "the 28×28 image recovered from the spikes" : "no decoder for these settings"),
    noDecoder: "No decoder for these settings.",
    numbers: "Numbers",
    count: "spikes",
    perPixel: "spikes per pixel",
    first: "mean first-spike time",
    error: "decoding error (MSE)",
    na: "n/a",
    python: "The same in Python",
    copy: "Copy",
    copied: "Copied",
    legend: "blue dots: on-spikes (+1), orange dots: off-spikes (−1)",
    error_: "the error snnTorch raises",
  },
}[LANG];

const number = new Intl.NumberFormat(LANG, { maximumFractionDigits: 4 });
const error = new Intl.NumberFormat(LANG, { maximumSignificantDigits: 3 }); // 0.0826, 0.00000213

// ---- the state, and the address that holds it ---------------------------

function defaults(encoder) {
  const p = {};
  for (const [name, spec] of Object.entries(ENCODERS[encoder].params)) {
    p[name] = Array.isArray(spec) ? spec[3] : spec;
  }
  return p;
}

// ?encoder=latency&digit=3&num_steps=50&tau=5&linear=1&seed=0: a query, not
// a #hash, so that the chapters can link to a preset (MkDocs checks a #hash
// as a heading anchor)
export function readSettings(search) {
  const q = new URLSearchParams(search);
  const encoder = ENCODERS[q.get("encoder")] ? q.get("encoder") : "rate";
  const params = defaults(encoder);
  for (const [name, spec] of Object.entries(ENCODERS[encoder].params)) {
    if (!q.has(name)) continue;
    if (Array.isArray(spec)) {
      const v = Number(q.get(name));
      if (Number.isFinite(v)) params[name] = Math.min(Math.max(v, spec[0]), spec[1]);
    } else params[name] = q.get(name) === "1" || q.get(name) === "true";
  }
  const digit = Math.max(0, Math.trunc(Number(q.get("digit")) || 0));
  return { encoder, params, digit, seed: toSeed(q.get("seed")), drawn: fromBase64(q.get("drawn")) };
}

// a seed as torch.manual_seed takes it here: a whole number, 0 .. 2**32 - 1
const toSeed = (text) => Math.max(0, Math.trunc(Number(text)) || 0) >>> 0;

// a digit's bytes (0..255) -> its pixel values, as ToTensor makes them (float32)
export const pixelsOf = (bytes) => Float32Array.from(bytes, (b) => Math.fround(b / 255));

// A drawn digit travels in the address as its 784 bytes in base64url.
export function toBase64(pixels) {
  const bytes = Array.from(pixels, (v) => String.fromCharCode(Math.round(v * 255)));
  return btoa(bytes.join("")).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64(text) {
  try {
    const bytes = atob((text ?? "").replace(/-/g, "+").replace(/_/g, "/"));
    if (bytes.length !== 784) return null;
    return pixelsOf(Array.from(bytes, (c) => c.charCodeAt(0)));
  } catch {
    return null; // not base64: keep the sample digit
  }
}

export function writeSettings({ encoder, params, digit, seed, drawn }) {
  const q = new URLSearchParams({ encoder });
  q.set("digit", String(digit));
  for (const [name, v] of Object.entries(params)) q.set(name, typeof v === "boolean" ? (v ? "1" : "0") : String(v));
  if (ENCODERS[encoder].random) q.set("seed", String(seed));
  if (drawn) q.set("drawn", toBase64(drawn));
  return "?" + q.toString();
}

// the Python call for these settings, e.g. spikegen.latency(x, num_steps=50, tau=5)
export function pythonCall({ encoder, params, seed }) {
  const args = Object.entries(params)
    .filter(([, v]) => v !== false)
    .map(([name, v]) => `${name}=${v === true ? "True" : v}`)
    .join(", ");
  const call = `spikes = ${ENCODERS[encoder].call(args)}`;
  return ENCODERS[encoder].random ? `torch.manual_seed(${seed})\n${call}` : call;
}

// ---- drawing a digit the way MNIST made its digits -------------------------

// Strokes drawn on a 280×280 canvas -> 784 pixel values in [0, 1]: the ink
// scaled (keeping its shape) into a 20×20 box, averaged over each pixel,
// then moved so that its centre of mass sits at the middle of 28×28, and
// rounded to bytes as MNIST stores them.
export function mnistFromInk(ink, size = 280) {
  let [top, left, bottom, right] = [size, size, -1, -1];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (ink[y * size + x] > 0) {
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
    }
  }
  const pixels = new Float32Array(784);
  if (bottom < 0) return pixels;
  const scale = 20 / Math.max(bottom - top + 1, right - left + 1);
  const box = new Float32Array(784); // the scaled ink, top left at (0, 0)
  const weight = new Float32Array(784);
  for (let y = top; y <= bottom; y++) {
    for (let x = left; x <= right; x++) {
      const k = Math.floor((y - top) * scale) * 28 + Math.floor((x - left) * scale);
      box[k] += ink[y * size + x];
      weight[k] += 1;
    }
  }
  let [mass, my, mx] = [0, 0, 0];
  for (let k = 0; k < 784; k++) {
    box[k] = weight[k] ? box[k] / weight[k] : 0;
    mass += box[k];
    my += box[k] * Math.floor(k / 28);
    mx += box[k] * (k % 28);
  }
  const dy = Math.round(13.5 - my / mass);
  const dx = Math.round(13.5 - mx / mass);
  for (let k = 0; k < 784; k++) {
    const y = Math.floor(k / 28) + dy;
    const x = (k % 28) + dx;
    if (box[k] && y >= 0 && y < 28 && x >= 0 && x < 28) {
      pixels[y * 28 + x] = Math.fround(Math.round(box[k] * 255) / 255);
    }
  }
  return pixels;
}

// ---- the page -------------------------------------------------------------

const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((c) => c !== null));
  return node;
};

// The palette's colours (CSS custom properties of .playground) as packed
// RGBA words for a Uint32Array over ImageData; read again when the palette
// changes.
let palette = null;

function readPalette() {
  const style = getComputedStyle(document.querySelector(".playground"));
  const probe = document.createElement("canvas").getContext("2d");
  const word = (name) => {
    probe.fillStyle = style.getPropertyValue(name).trim();
    const hex = probe.fillStyle; // "#rrggbb"
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    return new Uint32Array(new Uint8ClampedArray([r, g, b, 255]).buffer)[0];
  };
  palette = { bg: word("--pg-bg"), on: word("--pg-on"), off: word("--pg-off") };
}

// one value per 28×28 pixel -> a small canvas, gray levels (0 black, 1 white)
function paintGray(canvas, values) {
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(28, 28);
  for (let k = 0; k < 784; k++) {
    const v = Math.round(Math.min(Math.max(values[k], 0), 1) * 255) || 0;
    image.data.set([v, v, v, 255], 4 * k);
  }
  ctx.putImageData(image, 0, 0);
}

export function mount(root, digits) {
  const state = readSettings(location.search);
  if (state.digit >= digits.pixels.length) state.digit = 0;
  let drawn = state.drawn; // the drawn digit's pixels (or a shared one's)
  let shared = drawn; // a digit from the address, under any new strokes
  let strokes = [];
  let result = null;
  let time = 0;
  let playing = !matchMedia("(prefers-reduced-motion: reduce)").matches;

  // input: the sample digits as radio buttons, and the drawing canvas
  const digitsBox = el("fieldset", { className: "pg-digits" }, el("legend", { textContent: TEXT.digits }));
  digits.pixels.forEach((bytes, i) => {
    const radio = el("input", { type: "radio", name: "pg-digit", value: String(i) });
    const thumb = el("canvas", { width: 28, height: 28 });
    thumb.setAttribute("aria-hidden", "true");
    paintGray(thumb, pixelsOf(bytes));
    const label = el("label", { title: TEXT.digit(i, digits.labels[i]) }, radio, thumb);
    radio.setAttribute("aria-label", TEXT.digit(i, digits.labels[i]));
    radio.addEventListener("change", () => {
      state.digit = i;
      drawn = shared = null;
      strokes = [];
      redrawPad();
      update();
    });
    digitsBox.append(label);
  });
  // the sample digit in use is checked; none while a drawn digit is
  const markDigit = () => {
    for (const radio of digitsBox.querySelectorAll("input")) radio.checked = !drawn && Number(radio.value) === state.digit;
  };
  markDigit();

  const pad = el("canvas", { width: 280, height: 280, className: "pg-pad" });
  pad.setAttribute("role", "img");
  pad.setAttribute("aria-label", TEXT.canvasLabel);
  const padCtx = pad.getContext("2d");
  const redrawPad = () => {
    padCtx.fillStyle = "#000";
    padCtx.fillRect(0, 0, 280, 280);
    if (shared) {
      const small = document.createElement("canvas");
      small.width = small.height = 28;
      paintGray(small, shared);
      padCtx.imageSmoothingEnabled = false;
      padCtx.drawImage(small, 0, 0, 280, 280);
    }
    padCtx.strokeStyle = "#fff";
    padCtx.lineCap = padCtx.lineJoin = "round";
    padCtx.lineWidth = 22;
    for (const stroke of strokes) {
      padCtx.beginPath();
      stroke.forEach(([x, y], n) => (n ? padCtx.lineTo(x, y) : padCtx.moveTo(x, y)));
      if (stroke.length === 1) padCtx.lineTo(stroke[0][0] + 0.1, stroke[0][1]);
      padCtx.stroke();
    }
  };
  const inkToDigit = () => {
    const data = padCtx.getImageData(0, 0, 280, 280).data;
    const ink = new Float32Array(280 * 280);
    for (let k = 0; k < ink.length; k++) ink[k] = data[4 * k] / 255;
    drawn = strokes.length || shared ? mnistFromInk(ink) : null;
    markDigit();
    update();
  };
  const at = (event) => {
    const box = pad.getBoundingClientRect();
    return [((event.clientX - box.left) * 280) / box.width, ((event.clientY - box.top) * 280) / box.height];
  };
  let queued = false;
  pad.addEventListener("pointerdown", (event) => {
    pad.setPointerCapture(event.pointerId);
    strokes.push([at(event)]);
    redrawPad();
  });
  pad.addEventListener("pointermove", (event) => {
    if (!pad.hasPointerCapture(event.pointerId)) return;
    strokes.at(-1).push(at(event));
    redrawPad();
    if (!queued) {
      queued = true;
      requestAnimationFrame(() => {
        queued = false;
        inkToDigit();
      });
    }
  });
  pad.addEventListener("pointerup", inkToDigit);
  const undo = el("button", { type: "button", className: "md-button", textContent: TEXT.undo });
  const clear = el("button", { type: "button", className: "md-button", textContent: TEXT.clear });
  undo.addEventListener("click", () => {
    strokes.pop();
    redrawPad();
    inkToDigit();
  });
  clear.addEventListener("click", () => {
    strokes = [];
    shared = null;
    redrawPad();
    inkToDigit();
  });
  redrawPad();

  // encoder and settings
  const select = el("select", { id: "pg-encoder" });
  for (const name of Object.keys(ENCODERS)) {
    select.append(el("option", { value: name, textContent: TEXT.names[name], selected: name === state.encoder }));
  }
  select.addEventListener("change", () => {
    state.encoder = select.value;
    state.params = defaults(state.encoder);
    buildSettings();
    update();
  });
  const settings = el("div", { className: "pg-settings" });
  const seedInput = el("input", { type: "number", id: "pg-seed", min: 0, max: 4294967295, step: 1, value: state.seed });
  seedInput.addEventListener("change", () => {
    state.seed = toSeed(seedInput.value);
    seedInput.value = state.seed;
    update();
  });
  const newDraw = el("button", { type: "button", className: "md-button", textContent: TEXT.newDraw });
  newDraw.addEventListener("click", () => {
    state.seed = (state.seed + 1) >>> 0;
    seedInput.value = state.seed;
    update();
  });
  const seedRow = el(
    "div",
    { className: "pg-seed" },
    el("label", { htmlFor: "pg-seed", textContent: TEXT.seed + " " }),
    seedInput,
    newDraw,
  );

  function buildSettings() {
    settings.replaceChildren();
    for (const [name, spec] of Object.entries(ENCODERS[state.encoder].params)) {
      const id = `pg-${name}`;
      const title = el("span", {}, `${TEXT.params[name]} `, el("code", { textContent: name }));
      if (Array.isArray(spec)) {
        const [min, max, step] = spec;
        const input = el("input", { type: "range", id, min, max, step, value: state.params[name] });
        const shown = el("output", { htmlFor: id, textContent: state.params[name] });
        input.addEventListener("input", () => {
          state.params[name] = Number(input.value);
          shown.textContent = input.value;
          update();
        });
        settings.append(el("label", { htmlFor: id, className: "pg-range" }, title, shown), input);
      } else {
        const input = el("input", { type: "checkbox", id, checked: state.params[name] });
        input.addEventListener("change", () => {
          state.params[name] = input.checked;
          update();
        });
        settings.append(el("label", { htmlFor: id, className: "pg-check" }, input, title));
      }
    }
    seedRow.hidden = !ENCODERS[state.encoder].random;
  }

  // outputs
  const raster = el("canvas", { className: "pg-raster", width: 600, height: 392 });
  raster.setAttribute("role", "img");
  const frame = el("canvas", { className: "pg-frame", width: 28, height: 28 });
  frame.setAttribute("role", "img");
  const decoded = el("canvas", { className: "pg-frame", width: 28, height: 28 });
  decoded.setAttribute("role", "img");
  const noDecoder = el("p", { className: "pg-none", textContent: TEXT.noDecoder });
  const decodedCaption = el("figcaption");
  const play = el("button", { type: "button", className: "md-button" });
  const scrub = el("input", { type: "range", id: "pg-time", min: 0, max: 0, step: 1, value: 0 });
  const timeShown = el("output", { htmlFor: "pg-time" });
  const stats = el("dl", { className: "pg-stats" });
  stats.setAttribute("aria-live", "polite");
  const code = el("code", { className: "language-python" });
  const copy = el("button", { type: "button", className: "md-button", textContent: TEXT.copy });
  const problem = el("p", { className: "pg-problem", role: "alert" });

  copy.addEventListener("click", async () => {
    await navigator.clipboard.writeText(code.textContent);
    copy.textContent = TEXT.copied;
    setTimeout(() => (copy.textContent = TEXT.copy), 1500);
  });
  play.addEventListener("click", () => {
    playing = !playing;
    showPlay();
  });
  scrub.addEventListener("input", () => {
    time = Number(scrub.value);
    playing = false;
    showPlay();
    drawFrame();
  });
  const showPlay = () => {
    play.textContent = playing ? TEXT.pause : TEXT.play;
    play.setAttribute("aria-pressed", String(playing));
  };

  root.replaceChildren(
    el(
      "div",
      { className: "pg-controls" },
      el("h2", { textContent: TEXT.input, id: "pg-input" }),
      digitsBox,
      el("fieldset", { className: "pg-draw" }, el("legend", { textContent: TEXT.draw }), el("p", { textContent: TEXT.drawHint }), pad, el("div", {}, undo, clear)),
      el("h2", { textContent: TEXT.encoder, id: "pg-encoder-heading" }),
      el("label", { htmlFor: "pg-encoder", className: "pg-visually-hidden", textContent: TEXT.encoder }),
      select,
      el("fieldset", { className: "pg-params" }, el("legend", { textContent: TEXT.settings }), settings, seedRow),
    ),
    el(
      "div",
      { className: "pg-output" },
      problem,
      el("h2", { textContent: TEXT.raster, id: "pg-raster" }),
      raster,
      el("p", { className: "pg-legend", textContent: TEXT.legend }),
      el(
        "div",
        { className: "pg-pair" },
        el("figure", {}, frame, el("figcaption", {}, TEXT.frame)),
        el("figure", {}, decoded, noDecoder, decodedCaption),
      ),
      el("div", { className: "pg-time" }, play, el("label", { htmlFor: "pg-time" }, TEXT.time + " "), scrub, timeShown),
      el("h2", { textContent: TEXT.numbers, id: "pg-numbers" }),
      stats,
      el("h2", { textContent: TEXT.python, id: "pg-python" }),
      el("div", { className: "pg-code" }, el("pre", {}, code), copy),
    ),
  );
  buildSettings();
  showPlay();

  // ---- encode and draw ----

  function input() {
    return drawn ?? pixelsOf(digits.pixels[state.digit]);
  }

  function update() {
    const encoder = ENCODERS[state.encoder];
    const x = input();
    const video = encoder.moving ? E.movingFrames(x) : null;
    problem.textContent = "";
    try {
      const out = encoder.encode(video ?? x, state.params, state.seed);
      const decodedValues = encoder.decode(out, state.params, video);
      result = { out, x, video, decoded: decodedValues, ...summary(out, x, video, decodedValues, encoder) };
    } catch (raised) {
      result = null;
      problem.textContent = `${TEXT.error_}: ${raised.message}`;
    }
    time = Math.min(time, result ? result.out.steps - 1 : 0);
    scrub.max = result ? result.out.steps - 1 : 0;
    scrub.value = time;
    code.textContent = pythonCall(state);
    drawAll();
    clearTimeout(addressTimer); // a dragged slider writes the address once it rests
    addressTimer = setTimeout(writeAddress, 150);
  }

  // Browsers limit how often a page may rewrite its address (Chromium: 200
  // times in 10 s), so it follows the settings only after a pause.
  let addressTimer = 0;
  function writeAddress() {
    history.replaceState(null, "", writeSettings({ ...state, drawn }));
    keepLanguageLinks();
  }

  function drawAll() {
    drawRaster();
    drawFrame();
    if (result?.decoded) {
      const { decoded: values, out } = result;
      paintGray(decoded, values.length > 784 ? values.subarray((out.steps - 1) * 784) : values);
    }
    decoded.hidden = noDecoder.hidden = false;
    (result?.decoded ? noDecoder : decoded).hidden = true;
    decoded.setAttribute("aria-label", TEXT.decodedLabel(Boolean(result?.decoded)));
    decodedCaption.textContent = ENCODERS[state.encoder].moving ? TEXT.decodedLast : TEXT.decoded;
    showStats();
  }

  // Time across, units down. More steps or units than the canvas has
  // pixels share a pixel, which shows a spike if any of them has one (so no
  // spike is lost to scaling); fewer are stretched to fill it.
  let sheet = null;
  function drawRaster() {
    const ctx = raster.getContext("2d");
    if (!result) {
      ctx.clearRect(0, 0, raster.width, raster.height);
      return;
    }
    const { spikes, steps, units } = result.out;
    const [cols, rows] = [Math.min(steps, raster.width), Math.min(units, raster.height)];
    if (!sheet || sheet.width !== cols || sheet.height !== rows) sheet = new OffscreenCanvas(cols, rows);
    const image = new ImageData(cols, rows);
    const words = new Uint32Array(image.data.buffer).fill(palette.bg);
    for (let k = 0; k < spikes.length; k++) {
      if (!spikes[k]) continue;
      const col = Math.floor((Math.floor(k / units) * cols) / steps);
      const row = Math.floor(((k % units) * rows) / units);
      words[row * cols + col] = spikes[k] > 0 ? palette.on : palette.off;
    }
    sheet.getContext("2d").putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(sheet, 0, 0, raster.width, raster.height);
    raster.setAttribute("aria-label", TEXT.rasterLabel(number.format(units), number.format(steps), number.format(result.count)));
  }

  function drawFrame() {
    timeShown.textContent = result ? `${time} / ${result.out.steps - 1}` : "";
    const ctx = frame.getContext("2d");
    const image = ctx.createImageData(28, 28);
    const words = new Uint32Array(image.data.buffer).fill(palette.bg);
    let [ons, offs] = [0, 0];
    if (result) {
      const { spikes, units } = result.out;
      const perPixel = units / 784; // population coding: several neurons per pixel
      for (let p = 0; p < 784; p++) {
        let v = 0;
        for (let j = 0; j < perPixel; j++) v += spikes[time * units + p * perPixel + j];
        if (v > 0) (words[p] = palette.on), ons++;
        if (v < 0) (words[p] = palette.off), offs++;
      }
    }
    ctx.putImageData(image, 0, 0);
    frame.setAttribute("aria-label", TEXT.frameLabel(time, ons, offs));
  }

  function showStats() {
    const rows = !result
      ? []
      : [
          [TEXT.count, number.format(result.count)],
          [TEXT.perPixel, number.format(result.count / 784)],
          [TEXT.first, Number.isNaN(result.first) ? TEXT.na : number.format(result.first)],
          [TEXT.error, result.mse === null ? TEXT.na : error.format(result.mse)],
        ];
    stats.replaceChildren(...rows.flatMap(([term, value]) => [el("dt", { textContent: term }), el("dd", { textContent: value })]));
  }

  // the language switcher leads to the same settings in the other language
  function keepLanguageLinks() {
    for (const link of document.querySelectorAll("a[hreflang]")) {
      link.search = location.search;
    }
  }

  let last = 0;
  const tick = (now) => {
    if (playing && result && now - last > 100) {
      last = now;
      time = (time + 1) % result.out.steps;
      scrub.value = time;
      drawFrame();
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  const repaint = () => {
    readPalette();
    drawAll();
  };
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", repaint);
  new MutationObserver(repaint).observe(document.body, { attributeFilter: ["data-md-color-scheme"] });
  readPalette();
  update();
  return { state, update, get result() { return result; } };
}

// count, mean first-spike time and error, as the reference in
// snippets/encoding_lab.py computes them
export function summary(out, x, video, decoded, encoder) {
  const { spikes, units } = out;
  let count = 0;
  let firstSum = 0;
  let fired = 0;
  const seen = new Uint8Array(units);
  for (let k = 0; k < spikes.length; k++) {
    if (!spikes[k]) continue;
    count++;
    const i = k % units;
    if (!seen[i]) {
      seen[i] = 1;
      fired++;
      firstSum += Math.floor(k / units);
    }
  }
  let mse = null;
  if (decoded && !encoder.order) {
    const truth = video ? video.data : x;
    let sum = 0;
    for (let k = 0; k < truth.length; k++) sum += (decoded[k] - truth[k]) ** 2;
    mse = sum / truth.length;
  }
  return { count, first: fired ? firstSum / fired : NaN, mse };
}

const root = document.querySelector(".playground");
if (root) {
  fetch(DIGITS)
    .then((response) => response.json())
    .then((digits) => {
      window.playground = mount(root, digits);
    })
    .catch((error) => {
      // No digits, no playground: show the picture for readers without it.
      document.documentElement.classList.remove("playground-js");
      throw error;
    });
}
