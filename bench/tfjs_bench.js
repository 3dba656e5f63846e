// TF.js (wasm backend) peer: loads a TF.js graph model from disk, runs it
// on uniform [0, 1) inputs at a batch size, and prints one JSON line like
// leanrt_bench's: median ms per run, throughput, and VmHWM at exit.
//
//   node bench/tfjs_bench.js MODEL.json --batch 32 --runs 10 --warmup 3 --threads 2 \
//        --input NAME=1,128,128,3 [--calls 1] [--backend cpu]
//
// `--backend cpu` runs TF.js's plain-JS cpu backend instead (the one the
// corpus references were made with), for a model the wasm backend cannot run.
//
// As in leanrt_bench, `--calls N` makes one timed run N calls of --batch
// samples, each call on its own input tensors (made before timing).
//
// Runs from bench/node_modules (installed by bench/run.sh, not committed).
'use strict';
const fs = require('fs');
const path = require('path');

function parseArgs(argv) {
  const args = { batch: 1, calls: 1, runs: 10, 'min-time-ms': 0, warmup: 3, threads: 2, inputs: {}, values: {}, backend: 'wasm' };
  args.model = argv[0];
  for (let i = 1; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    const value = argv[i + 1];
    if (key === 'input') {
      const [name, dims] = value.split('=');
      args.inputs[name] = dims === '' ? [] : dims.split(',').map(Number);
    } else if (key === 'backend') {
      args.backend = value;
    } else if (key === 'value') {
      const [name, number] = value.split('=');
      args.values[name] = Number(number);
    } else {
      args[key] = Number(value);
    }
  }
  return args;
}

function peakRssBytes() {
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const match = status.match(/VmHWM:\s+(\d+) kB/);
  return match ? Number(match[1]) * 1024 : 0;
}

// A tf.io.IOHandler over the model.json and its shards, without tfjs-node.
function fileHandler(tf, modelPath) {
  const json = JSON.parse(fs.readFileSync(modelPath, 'utf8'));
  const dir = path.dirname(modelPath);
  const weightSpecs = [];
  const buffers = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const shard of group.paths) buffers.push(fs.readFileSync(path.join(dir, shard)));
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs,
    weightData,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    signature: json.signature,
    userDefinedMetadata: json.userDefinedMetadata,
  });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  return n % 2 ? sorted[(n - 1) / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const tf = require('@tensorflow/tfjs');
  const wasm = require('@tensorflow/tfjs-backend-wasm');
  wasm.setThreadsCount(args.threads);
  await tf.setBackend(args.backend);
  await tf.ready();
  const model = await tf.loadGraphModel(fileHandler(tf, args.model));
  // feedsPerCall[c]: call c's inputs, its own samples.
  const feedsPerCall = [];
  for (let c = 0; c < args.calls; ++c) {
    const feeds = {};
    for (const input of model.inputs) {
      const given = args.inputs[input.name];
      // Scalar float inputs (rvm's downsample_ratio and initial states, given
      // as NAME= or declared so) steer shapes: the --value given (the corpus
      // data's), else 0.5, in every driver; no batch dim is added to them.
      const scalar = (given && given.length === 0) || (input.shape && input.shape.length === 0);
      let shape = given || input.shape.map((d) => (d < 0 ? 1 : d));
      shape = [args.batch, ...shape.slice(1)];
      if (scalar && input.dtype !== 'int32')
        feeds[input.name] = tf.scalar(input.name in args.values ? args.values[input.name] : 0.5);
      else feeds[input.name] = input.dtype === 'int32' ? tf.zeros(shape, 'int32') : tf.randomUniform(shape, 0, 1, 'float32');
    }
    feedsPerCall.push(feeds);
  }
  // execute() where the graph allows it (no control flow): executeAsync
  // adds per-op scheduling and warns on every call.
  let synchronous = true;
  try {
    tf.dispose(model.execute(feedsPerCall[0]));
  } catch (error) {
    synchronous = false;
  }
  // One run: args.calls calls of args.batch samples each.
  const runOnce = async () => {
    for (const feeds of feedsPerCall) {
      const result = synchronous ? model.execute(feeds) : await model.executeAsync(feeds);
      const outputs = Array.isArray(result) ? result : result instanceof tf.Tensor ? [result] : Object.values(result);
      for (const output of outputs) await output.data();  // wait for the values, as a user would
      tf.dispose(outputs);
    }
  };
  let fastestWarmupMs = Infinity;
  for (let i = 0; i < Math.max(args.warmup, 1); ++i) {
    const start = process.hrtime.bigint();
    await runOnce();
    fastestWarmupMs = Math.min(fastestWarmupMs, Number(process.hrtime.bigint() - start) / 1e6);
  }
  // As leanrt_bench: runs shorter than min-time / 1000 are timed in groups.
  const group = Math.max(1, Math.floor(args['min-time-ms'] / 1000 / Math.max(fastestWarmupMs, 1e-6)));
  const times = [];
  let timedMs = 0;
  while (times.length < args.runs || timedMs < args['min-time-ms']) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < group; ++i) await runOnce();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    times.push(ms / group);
    timedMs += ms;
  }
  const medianMs = median(times);
  console.log(JSON.stringify({
    engine: `tfjs-${args.backend}`, model: args.model, batch: args.batch, calls: args.calls,
    samples_per_run: args.batch * args.calls, threads: args.backend === 'wasm' ? wasm.getThreadsCount() : 1,
    runs: times.length * group, median_ms: medianMs, throughput_per_s: (1000 * args.batch * args.calls) / medianMs,
    peak_rss_bytes: peakRssBytes(),
  }));
}

main().catch((error) => {
  console.error(`tfjs_bench: error: ${error.message}`);
  process.exit(2);
});
