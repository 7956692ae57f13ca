// Evaluation of a whole set in one call: each chunk of rows from its bytes (the first layer's
// product unpacks them panel by panel: gemmBytes) through every layer, into softmax cross-entropy
// and an arg-max count, with the same arithmetic in the same order as the core's evaluateSet. Chunks may be spread over threads (a core no other run uses);
// each chunk's result is kept apart and the results are summed in chunk order afterwards, so the
// totals are bit-identical whatever the number of threads.
#include "evaluate.h"

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace mlp {

namespace {

// Scratch per thread, kept between calls: fresh pages are expensive (on some virtual machines a
// page fault costs tens of microseconds), and evaluation runs at every history record. One pool per
// calling thread, so that two JavaScript threads evaluating at once never share one.
thread_local std::vector<std::vector<float>> scratchPool;

// Takes chunks from `next` until none is left: a thread slowed by other work on its core takes
// fewer, instead of holding the others up at the end.
void evaluateChunks(const KernelTable& t, const EvalLayer* layers, int layerCount, const unsigned char* images,
                    const unsigned char* labels, int count, int features, int chunkRows, std::atomic<int>& next,
                    std::vector<float>& scratch, double* losses, int* correct) {
  // Every buffer starts on a 64-byte line, as the core's buffers do (kernels.alloc).
  const auto padded = [](size_t floats) { return (floats + 15) / 16 * 16; };
  size_t total = 16;
  for (int l = 0; l < layerCount; l++) total += padded((size_t)chunkRows * layers[l].nOut);
  scratch.resize(total);
  float* first = scratch.data() + ((64 - reinterpret_cast<uintptr_t>(scratch.data()) % 64) % 64) / sizeof(float);
  const int chunks = (count + chunkRows - 1) / chunkRows;
  for (int c = next.fetch_add(1); c < chunks; c = next.fetch_add(1)) {
    const int start = c * chunkRows;
    const int rows = count - start < chunkRows ? count - start : chunkRows;
    const float* input = nullptr;
    float* output = first;
    for (int l = 0; l < layerCount; l++) {
      const EvalLayer& layer = layers[l];
      // The first layer reads the chunk's bytes (gemmBytes: unpackBytes then gemm, bit for bit).
      if (l == 0) t.gemmBytes(rows, layer.nOut, layer.nIn, images + (size_t)start * features, layer.W, output);
      else t.gemm(rows, layer.nOut, layer.nIn, input, layer.W, output);
      if (layer.activation < 0) t.addBias(rows, layer.nOut, output, layer.b);
      else t.biasActivation(rows, layer.nOut, output, layer.b, layer.activation);
      input = output;
      output += padded((size_t)chunkRows * layer.nOut);
    }
    const int classes = layers[layerCount - 1].nOut;
    const unsigned char* y = labels + start;
    losses[c] = softmaxCrossEntropy(rows, classes, input, y, nullptr);
    int hits = 0;
    for (int i = 0; i < rows; i++) {
      const float* z = input + (size_t)i * classes;
      int best = 0;  // the first maximum on ties, NaN never greater: as the core's countCorrect
      for (int j = 1; j < classes; j++) if (z[j] > z[best]) best = j;
      if (best == y[i]) hits++;
    }
    correct[c] = hits;
  }
}

}  // namespace

EvalResult evaluateRows(const KernelTable& t, const EvalLayer* layers, int layerCount, const unsigned char* images,
                        const unsigned char* labels, int count, int features, int chunkRows, int threads) {
  const int chunks = (count + chunkRows - 1) / chunkRows;
  if (threads > chunks) threads = chunks;
  if (threads < 1) threads = 1;
  if ((int)scratchPool.size() < threads) scratchPool.resize(threads);
  std::vector<double> losses(chunks);
  std::vector<int> correct(chunks);
  std::atomic<int> next{0};
  std::vector<std::thread> helpers;
  for (int i = 1; i < threads; i++) {
    helpers.emplace_back(evaluateChunks, std::cref(t), layers, layerCount, images, labels, count, features, chunkRows,
                         std::ref(next), std::ref(scratchPool[i]), losses.data(), correct.data());
  }
  evaluateChunks(t, layers, layerCount, images, labels, count, features, chunkRows, next, scratchPool[0], losses.data(),
                 correct.data());
  for (std::thread& helper : helpers) helper.join();
  EvalResult result{0.0, 0};
  for (int c = 0; c < chunks; c++) {
    result.lossSum += losses[c];
    result.correct += correct[c];
  }
  return result;
}

}  // namespace mlp
