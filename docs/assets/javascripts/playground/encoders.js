// The encoders of the tutorial, in the browser: the same definitions as
// snnTorch 1.0.0's spikegen (rate, latency, delta) and as the functions in
// snippets/encoding_lab.py (the other six), step for step.
//
// torch computes in float32 and these functions do too: every result goes
// through Math.fround, as every float32 operation rounds. torch.round rounds
// halves to even, and so does roundHalfEven. The random encoders draw from
// the same generator as torch on the CPU (see TorchGenerator), so with the
// same seed they give the same spikes as
//     torch.manual_seed(seed); spikegen.rate(x, num_steps=T)
// tests/test_playground.py checks all of this against outputs the build
// writes from the Python.
//
// Input: x, a Float32Array of pixel values in [0, 1] (784 for a digit).
// Output: { spikes, steps, units }: spikes is an Int8Array of steps * units
// values, time first as in torch ([T, units]), +1 for a spike, -1 for an
// off-spike.

const f32 = Math.fround;

export function roundHalfEven(v) {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 ? 2 * Math.round(v / 2) : r;
}

// ---- torch's CPU random numbers -----------------------------------------

// torch.manual_seed(seed) seeds a Mersenne Twister (MT19937, seeded as in
// its reference code), and torch.rand keeps the low 24 bits of each 32-bit
// output: (bits & 0xffffff) * 2**-24. torch.bernoulli(p) draws the same
// numbers and fires where they are below p.
export class TorchGenerator {
  constructor(seed) {
    const mt = new Uint32Array(624);
    mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      // 1812433253 * prev + i, modulo 2**32, without losing bits to doubles
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.mt = mt;
    this.index = 624;
  }

  nextUint32() {
    const mt = this.mt;
    if (this.index >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = (mt[k] & 0x80000000) | (mt[(k + 1) % 624] & 0x7fffffff);
        mt[k] = mt[(k + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  // one value of torch.rand: a float32 in [0, 1)
  rand() {
    return (this.nextUint32() & 0xffffff) / 16777216;
  }
}

// ---- snnTorch's spikegen -------------------------------------------------

// spikegen.rate(x, num_steps, gain, offset): a Bernoulli draw per pixel and
// step with probability clamp(x * gain + offset, 0, 1).
export function rate(x, { num_steps = 100, gain = 1, offset = 0 } = {}, seed = 0) {
  const generator = new TorchGenerator(seed);
  const units = x.length;
  const p = new Float32Array(units);
  for (let i = 0; i < units; i++) {
    const v = f32(f32(x[i] * f32(gain)) + f32(offset));
    p[i] = Math.min(Math.max(v, 0), 1);
  }
  const spikes = new Int8Array(num_steps * units);
  for (let t = 0, k = 0; t < num_steps; t++) {
    for (let i = 0; i < units; i++, k++) spikes[k] = generator.rand() < p[i] ? 1 : 0;
  }
  return { spikes, steps: num_steps, units };
}

// The first-spike time of each pixel, as spikegen.latency_code computes it.
export function latencyTimes(
  x,
  { num_steps = 100, threshold = 0.01, tau = 1, normalize = false, linear = false, epsilon = 1e-7 } = {},
) {
  const units = x.length;
  const times = new Float32Array(units);
  if (linear) {
    // clamp_max(-tau * (x - 1), -tau * (threshold - 1))
    const t = normalize ? num_steps - 1 : tau;
    const latest = f32(-t * (threshold - 1));
    for (let i = 0; i < units; i++) times[i] = Math.min(f32(f32(-t) * f32(x[i] - 1)), latest);
    return times;
  }
  // tau * log(x / (x - threshold)), with x clamped to at least threshold + epsilon
  const floor = f32(threshold + epsilon);
  const thr = f32(threshold);
  let largest = -Infinity;
  for (let i = 0; i < units; i++) {
    const v = Math.max(x[i], floor);
    times[i] = f32(f32(tau) * f32(Math.log(f32(v / f32(v - thr)))));
    largest = Math.max(largest, times[i]);
  }
  if (normalize) {
    for (let i = 0; i < units; i++) times[i] = f32(f32(times[i] * (num_steps - 1)) / largest);
  }
  return times;
}

// spikegen.latency(x, num_steps, threshold, tau, clip, normalize, linear):
// one spike per pixel, at its rounded first-spike time. Throws the error
// snnTorch raises when the latest spike does not fit in num_steps.
export function latency(x, options = {}) {
  const { num_steps = 100, threshold = 0.01, clip = false } = options;
  for (const v of x) {
    if (v < 0 || v > 1) throw new Error("Elements of ``data`` must be between [0, 1]");
  }
  if (threshold < 0 || threshold > 1) {
    throw new Error(`\`\`threshold\`\` [${threshold}] must be between [0, 1]`);
  }
  if (threshold <= 0 || threshold >= 1) throw new Error("Threshold must be between 0 and 1.");
  const times = latencyTimes(x, { ...options, num_steps, threshold });
  const last = roundHalfEven(Math.max(...times));
  if (last > num_steps - 1) {
    throw new Error(
      `The maximum value in \`\`spike_time\`\` [${last}] is out of bounds ` +
        `for \`\`num_steps\`\` [${num_steps}-1].\n To bypass this error, set ` +
        "``bypass=True``.\n Alternatively, constrain ``spike_time`` within the " +
        "range of ``num_steps`` by either decreasing ``tau`` or ``setting normalize=True``.",
    );
  }
  const units = x.length;
  const thr = f32(threshold);
  const spikes = new Int8Array(num_steps * units);
  for (let i = 0; i < units; i++) {
    if (clip && x[i] < thr) continue; // below threshold: removed by clip
    spikes[roundHalfEven(times[i]) * units + i] = 1;
  }
  return { spikes, steps: num_steps, units };
}

// spikegen.delta(frames, threshold, padding, off_spike): +1 where a pixel
// rose by at least threshold since the previous frame (0 before the first,
// or the first frame itself with padding), -1 where it fell that much.
export function delta(frames, { threshold = 0.1, padding = false, off_spike = false } = {}) {
  const { data, steps, units } = frames;
  const thr = f32(threshold);
  const spikes = new Int8Array(steps * units);
  for (let t = 0, k = 0; t < steps; t++) {
    for (let i = 0; i < units; i++, k++) {
      const before = t > 0 ? data[k - units] : padding ? data[i] : 0;
      const change = f32(data[k] - before);
      if (change >= thr) spikes[k] = 1;
      else if (off_spike && change <= -thr) spikes[k] = -1;
    }
  }
  return { spikes, steps, units };
}

// The delta chapter's moving digit: still for 4 frames, one pixel right per
// frame for 4, still for 4, back left for 4, still for 4 (torch.roll, so a
// column leaving on the right comes back on the left).
export const SHIFTS = [0, 0, 0, 0, 1, 2, 3, 4, 4, 4, 4, 4, 3, 2, 1, 0, 0, 0, 0, 0];

export function movingFrames(x, width = 28, shifts = SHIFTS) {
  const units = x.length;
  const data = new Float32Array(shifts.length * units);
  shifts.forEach((shift, t) => {
    for (let i = 0; i < units; i++) {
      const row = Math.floor(i / width);
      const col = (((i % width) - shift) % width + width) % width;
      data[t * units + i] = x[row * width + col];
    }
  });
  return { data, steps: shifts.length, units };
}

// ---- snippets/encoding_lab.py --------------------------------------------

// poisson_encode(x, num_steps, f_max, dt): torch.rand(num_steps, *x.shape) < p
// with p = clamp(f_max * dt * x, 0, 1): spikegen.rate with gain f_max * dt.
export function poisson(x, { num_steps = 100, f_max = 100, dt = 1e-3 } = {}, seed = 0) {
  return rate(x, { num_steps, gain: f_max * dt }, seed);
}

// torch.linspace(0, 1, n) in float32: the first half counts up from 0, the
// second half down from 1, in steps of (1 - 0) / (n - 1).
export function linspace01(n) {
  const out = new Float32Array(n);
  if (n === 1) return out;
  const step = f32(1 / (n - 1));
  const half = Math.floor(n / 2);
  for (let j = 0; j < n; j++) out[j] = j < half ? f32(step * j) : f32(1 - f32(step * (n - 1 - j)));
  return out;
}

// population_encode(x, num_steps, num_neurons, sigma, r_min): each pixel
// drives num_neurons neurons with Gaussian receptive fields; neuron j fires
// once, at round((1 - r) * (num_steps - 1)), if its response r >= r_min.
// Units are pixel-major: unit i * num_neurons + j.
export function population(x, { num_steps = 20, num_neurons = 8, sigma = null, r_min = 0.1 } = {}) {
  const centers = linspace01(num_neurons);
  const s = sigma ?? 1 / (num_neurons - 1);
  const width = f32(2 * s ** 2);
  const units = x.length * num_neurons;
  const spikes = new Int8Array(num_steps * units);
  const rmin = f32(r_min);
  for (let i = 0; i < x.length; i++) {
    for (let j = 0; j < num_neurons; j++) {
      const d = f32(x[i] - centers[j]);
      const r = f32(Math.exp(f32(-f32(d * d) / width)));
      if (r < rmin) continue;
      const step = roundHalfEven(f32(f32(1 - r) * (num_steps - 1)));
      if (step >= 0 && step < num_steps) spikes[step * units + i * num_neurons + j] = 1;
    }
  }
  return { spikes, steps: num_steps, units };
}

// rank_order_encode(x, num_steps): the brightest pixel fires first; equal
// values fire in index order; zeros never fire; ranks are spread over time
// as rank * num_steps // (number of nonzero pixels).
export function rankOrder(x, { num_steps = 300 } = {}) {
  const units = x.length;
  const order = Array.from(x.keys()).sort((a, b) => x[b] - x[a] || a - b);
  const active = Math.max(1, x.filter((v) => v > 0).length);
  const spikes = new Int8Array(num_steps * units);
  order.forEach((i, rank) => {
    if (x[i] > 0) spikes[Math.floor((rank * num_steps) / active) * units + i] = 1;
  });
  return { spikes, steps: num_steps, units };
}

// phase_encode(x, num_steps, bits): step t carries bit bits-1-(t % bits) of
// round(x * (2**bits - 1)), most significant first.
export function phase(x, { num_steps = 16, bits = 8 } = {}) {
  const units = x.length;
  const top = f32(2 ** bits - 1);
  const q = Array.from(x, (v) => roundHalfEven(f32(v * top)));
  const spikes = new Int8Array(num_steps * units);
  for (let t = 0, k = 0; t < num_steps; t++) {
    const shift = bits - 1 - (t % bits);
    for (let i = 0; i < units; i++, k++) spikes[k] = Math.floor(q[i] / 2 ** shift) % 2;
  }
  return { spikes, steps: num_steps, units };
}

// burst_encode(x, num_steps, max_spikes, max_isi, min_isi): ceil(max_spikes
// * x) spikes from step 0, round(max_isi - (max_isi - min_isi) * x) apart.
export function burst(x, { num_steps = 20, max_spikes = 5, max_isi = 10, min_isi = 2 } = {}) {
  const units = x.length;
  const spikes = new Int8Array(num_steps * units);
  for (let i = 0; i < units; i++) {
    const count = Math.ceil(f32(max_spikes * x[i]));
    const isi = roundHalfEven(f32(max_isi - f32((max_isi - min_isi) * x[i])));
    if (isi <= 0) continue; // time % 0 is never 0 in torch (it is nan)
    for (let n = 0; n < count && n * isi < num_steps; n++) spikes[n * isi * units + i] = 1;
  }
  return { spikes, steps: num_steps, units };
}

// step_forward_encode(signal, threshold): a base starts at the first frame;
// +1 (and base += threshold) when the signal is more than threshold above
// it, -1 (and base -= threshold) when more than threshold below.
export function stepForward(frames, { threshold = 0.1 } = {}) {
  const { data, steps, units } = frames;
  const thr = f32(threshold);
  const base = Float32Array.from(data.subarray(0, units));
  const spikes = new Int8Array(steps * units);
  for (let t = 1; t < steps; t++) {
    for (let i = 0; i < units; i++) {
      const k = t * units + i;
      const up = data[k] > f32(base[i] + thr);
      const down = data[k] < f32(base[i] - thr);
      spikes[k] = up - down;
      base[i] = f32(base[i] + f32(thr * spikes[k]));
    }
  }
  return { spikes, steps, units };
}
