// TensorFlow.js training the report's relu model for one epoch, as a TypeScript user would write it:
// Sequential dense 128 relu / 64 relu / 10 softmax, SGD lr 0.01, categorical cross-entropy, batch 30,
// on the 60,000 bundled MNIST images (÷255 floats), shuffled. One thread (the wasm backend's
// setThreadsCount(1); the cpu backend has one). Timed around model.fit only, data loaded first.
// Prints one JSON object: the backend, the fraction of the epoch trained, its seconds and the test accuracy.
//
// usage: node bench/peers/tfjs-epoch.mjs wasm|cpu MNIST_DATA_DIR [FRACTION]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

const [backend, dataDir, fractionArg] = process.argv.slice(2);
const fraction = Number(fractionArg ?? 1);

function load(prefix, limit) {
  const images = readFileSync(path.join(dataDir, `${prefix}-images-idx3-ubyte`)).subarray(16, 16 + limit * 784);
  const labels = readFileSync(path.join(dataDir, `${prefix}-labels-idx1-ubyte`)).subarray(8, 8 + limit);
  const x = new Float32Array(images.length);
  for (let i = 0; i < images.length; i++) x[i] = images[i] / 255;
  return { x: tf.tensor2d(x, [limit, 784]), y: tf.oneHot(tf.tensor1d(labels, 'int32'), 10) };
}

if (backend === 'wasm') setThreadsCount(1);
await tf.setBackend(backend);
await tf.ready();
const train = load('train', Math.round(60_000 * fraction));
const test = load('t10k', 10_000);
const model = tf.sequential({
  layers: [
    tf.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }),
    tf.layers.dense({ units: 64, activation: 'relu' }),
    tf.layers.dense({ units: 10, activation: 'softmax' }),
  ],
});
model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
const started = performance.now();
await model.fit(train.x, train.y, { batchSize: 30, epochs: 1, shuffle: true, verbose: 0 });
const seconds = (performance.now() - started) / 1000;
const [, accuracy] = model.evaluate(test.x, test.y, { batchSize: 1000 });
console.log(JSON.stringify({ backend: tf.getBackend(), tfjs: tf.version.tfjs, fraction, seconds, testAccuracy: 100 * (await accuracy.data())[0] }));
