// Back from spikes to pixel values: the decoders of snippets/encoding_lab.py
// (compare_codecs and compare_moving), for the numbers the playground shows.
// Each takes the encoder's output and its settings and returns a
// Float32Array of decoded values, one per pixel (per pixel and frame for the
// moving digit), or null where the encoder has no decoder for them.

import { linspace01 } from "./encoders.js";

const f32 = Math.fround;

// the spike count of each unit, over all steps (off-spikes count -1)
function sums({ spikes, steps, units }) {
  const total = new Float32Array(units);
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < units; i++) total[i] += spikes[t * units + i];
  }
  return total;
}

// rate: spikes.mean(dim=0) / gain, the firing rate divided by the gain
export function rateDecode(out, { gain = 1 }) {
  if (!gain) return null;
  return sums(out).map((n) => f32(f32(n / out.steps) / f32(gain)));
}

// poisson: spikes.mean(dim=0) / (f_max * dt)
export function poissonDecode(out, { f_max = 100, dt = 1e-3 }) {
  return f32(f_max * dt) ? rateDecode(out, { gain: f_max * dt }) : null;
}

// latency (linear=True, normalize=True): a spike at step t means 1 - t / (T - 1)
export function firstSpikeValue(out, { linear, normalize }) {
  const { spikes, steps, units } = out;
  if (!linear || !normalize || steps < 2) return null;
  const x = new Float32Array(units);
  for (let i = 0; i < units; i++) {
    for (let t = 0; t < steps; t++) {
      if (spikes[t * units + i]) {
        x[i] = f32(1 - f32(t / (steps - 1)));
        break;
      }
    }
  }
  return x;
}

// population_decode: from the pair of neighbouring neurons that fired earliest
export function populationDecode(out, { num_neurons = 8 }) {
  const { spikes, steps, units } = out;
  const pixels = units / num_neurons;
  const sigma2 = f32((1 / (num_neurons - 1)) ** 2); // sigma ** 2, a Python float
  const centers = linspace01(num_neurons);
  const spacing = f32(centers[1] - centers[0]);
  const x = new Float32Array(pixels);
  const r = new Float32Array(num_neurons);
  for (let p = 0; p < pixels; p++) {
    for (let j = 0; j < num_neurons; j++) {
      r[j] = 0;
      for (let t = 0; t < steps; t++) {
        if (spikes[t * units + p * num_neurons + j]) r[j] = f32(1 - f32(t / (steps - 1)));
      }
    }
    let pair = 0;
    for (let j = 1; j < num_neurons - 1; j++) {
      if (f32(r[j] * r[j + 1]) > f32(r[pair] * r[pair + 1])) pair = j;
    }
    const middle = f32((centers[pair] + centers[pair + 1]) / 2);
    const v = f32(middle + f32(f32(sigma2 * f32(Math.log(f32(r[pair + 1] / r[pair])))) / spacing));
    x[p] = Number.isNaN(v) ? NaN : Math.min(Math.max(v, 0), 1);
  }
  return x;
}

// rank_order_decode: 0.99 ** (number of inputs that fired at earlier steps);
// an order, not pixel values
export function rankOrderDecode({ spikes, steps, units }) {
  const x = new Float32Array(units);
  let before = 0;
  for (let t = 0; t < steps; t++) {
    let now = 0;
    for (let i = 0; i < units; i++) {
      if (spikes[t * units + i]) {
        x[i] = f32(0.99 ** before);
        now++;
      }
    }
    before += now;
  }
  return x;
}

// phase_decode: the first `bits` steps as binary digits, MSB first
export function phaseDecode({ spikes, steps, units }, { bits = 8 }) {
  if (steps < bits) return null;
  const x = new Float32Array(units);
  const scale = f32(2 ** bits / (2 ** bits - 1));
  for (let i = 0; i < units; i++) {
    let value = 0;
    for (let k = 0; k < bits; k++) value = f32(value + f32(spikes[k * units + i] * 2 ** -(k + 1)));
    x[i] = f32(value * scale);
  }
  return x;
}

// burst_decode: n spikes -> (n - 0.5) / max_spikes
export function burstDecode(out, { max_spikes = 5 }) {
  return sums(out).map((n) => (n > 0 ? f32(f32(n - 0.5) / max_spikes) : 0));
}

// Every frame from each unit's running sum of spikes (spikes.cumsum(dim=0)):
// value(sum, unit) for each unit and step.
function fromRunningSum({ spikes, steps, units }, value) {
  const frames = new Float32Array(steps * units);
  const sum = new Float32Array(units);
  for (let k = 0; k < spikes.length; k++) {
    sum[k % units] += spikes[k];
    frames[k] = value(sum[k % units], k % units);
  }
  return frames;
}

// delta: each event is one threshold step, summed over time, clamped to [0, 1]
export function deltaDecode(out, { threshold = 0.1 }) {
  return fromRunningSum(out, (sum) => Math.min(Math.max(f32(f32(threshold) * sum), 0), 1));
}

// step_forward_decode: the first frame plus threshold times the running sum
export function stepForwardDecode(out, { threshold = 0.1 }, video) {
  return fromRunningSum(out, (sum, i) => f32(video.data[i] + f32(f32(threshold) * sum)));
}
