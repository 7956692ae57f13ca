// N-API bindings of the kernels that read a data set's bytes directly: a mini-batch gathered and
// unpacked in one call, and a whole set evaluated in one call (evaluate.cc).
#include <vector>

#include "bindings.h"
#include "evaluate.h"

namespace mlp::bindings {

namespace {

// Asks for the rows of the next mini-batch (the `count` indices after this one's, where there are
// any) to be brought into cache: a shuffled batch's rows are scattered over the whole set, and
// fetched on demand each cost a trip to memory, a tenth of a step's time; the step's products,
// in between, hide these loads. A hint only: nothing is read, so indices past the end are skipped.
void prefetchRows(const unsigned char* bytes, size_t srcRows, int32_t features, const uint32_t* next, size_t available,
                  int32_t count) {
  const size_t rows = available < (size_t)count ? available : (size_t)count;
  for (size_t r = 0; r < rows; r++) {
    if (next[r] >= srcRows) continue;
    const unsigned char* row = bytes + (size_t)next[r] * features;
    for (int32_t offset = 0; offset < features; offset += 64) __builtin_prefetch(row + offset, 0, 3);
    __builtin_prefetch(row + features - 1, 0, 3);
  }
}

}  // namespace

// unpackRows(rows, features, src: Uint8Array, order: Uint32Array, start, dst: Float32Array):
// dst row r = src row order[start + r] / 255. A mini-batch gathered and unpacked in one call,
// straight from the dataset's bytes: one JS call per row cost more than the copy itself.
napi_value unpackRows(napi_env env, napi_callback_info info) {
  Args a;
  int32_t rows, features, start;
  float* dst;
  if (!getArgs(env, info, 6, &a) || !argInt(env, a.v[0], "rows", &rows) || !argInt(env, a.v[1], "features", &features) ||
      !argInt(env, a.v[4], "start", &start)) {
    return nullptr;
  }
  const unsigned char* bytes;
  const uint32_t* order;
  size_t srcLength = 0, orderLength = 0;
  if (!argBytes(env, a.v[2], "src", 0, &bytes, &srcLength) ||
      !argIndices(env, a.v[3], "order", (size_t)start + rows, &order, &orderLength) ||
      !argFloats(env, a.v[5], "dst", (size_t)rows * (size_t)features, &dst)) {
    return nullptr;
  }
  const uint32_t* index = order + start;
  const size_t srcRows = features > 0 ? srcLength / (size_t)features : 0;
  for (int32_t r = 0; r < rows; r++) {
    if (index[r] >= srcRows) {
      napi_throw_range_error(env, nullptr, "order names a row past the end of src");
      return nullptr;
    }
  }
  for (int32_t r = 0; r < rows; r++) {
    a.table->unpackBytes(features, bytes + (size_t)index[r] * features, dst + (size_t)r * features);
  }
  prefetchRows(bytes, srcRows, features, order + start + rows, orderLength - ((size_t)start + rows), rows);
  return nullptr;
}

// evaluateRows(sizes: number[], activations: number[] (codes; -1 for the softmax layer),
//   weights: Float32Array[], biases: Float32Array[], images: Uint8Array, labels: Uint8Array,
//   count, chunkRows, threads) → [lossSum, correct]. See evaluate.h.
napi_value evaluateRows(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, 9, &a)) return nullptr;
  uint32_t layerCount = 0;
  napi_get_array_length(env, a.v[0], &layerCount);
  if (layerCount < 2 || layerCount > 64) {
    napi_throw_range_error(env, nullptr, "sizes must list 2 to 64 layer sizes");
    return nullptr;
  }
  layerCount -= 1;
  std::vector<mlp::EvalLayer> layers(layerCount);
  int32_t previous = 0;
  for (uint32_t l = 0; l <= layerCount; l++) {
    napi_value item;
    int32_t size;
    napi_get_element(env, a.v[0], l, &item);
    if (!argInt(env, item, "a layer size", &size)) return nullptr;
    if (size < 1) {
      napi_throw_range_error(env, nullptr, "layer sizes must be positive");
      return nullptr;
    }
    if (l > 0) {
      mlp::EvalLayer& layer = layers[l - 1];
      layer.nIn = previous;
      layer.nOut = size;
      napi_value activation, W, b;
      napi_get_element(env, a.v[1], l - 1, &activation);
      napi_get_element(env, a.v[2], l - 1, &W);
      napi_get_element(env, a.v[3], l - 1, &b);
      double code;
      if (napi_get_value_double(env, activation, &code) != napi_ok || !(code == -1 || code == mlp::kRelu || code == mlp::kSigmoid || code == mlp::kTanh) ||
          (code == -1) != (l == layerCount)) {
        napi_throw_range_error(env, nullptr, "activations must be hidden codes (0, 1, 2), then -1 for the softmax layer");
        return nullptr;
      }
      layer.activation = (int)code;
      float *weights, *bias;
      if (!argFloats(env, W, "W", (size_t)previous * size, &weights) || !argFloats(env, b, "b", size, &bias)) return nullptr;
      layer.W = weights;
      layer.b = bias;
    }
    previous = size;
  }
  int32_t count, chunkRows, threads;
  if (!argInt(env, a.v[6], "count", &count) || !argInt(env, a.v[7], "chunkRows", &chunkRows) || !argInt(env, a.v[8], "threads", &threads)) return nullptr;
  if (chunkRows < 1 || threads < 1 || threads > 256) {
    napi_throw_range_error(env, nullptr, "chunkRows must be positive and threads from 1 to 256");
    return nullptr;
  }
  const int features = layers[0].nIn;
  const int classes = layers[layerCount - 1].nOut;
  const unsigned char *images, *labels;
  if (!argBytes(env, a.v[4], "images", (size_t)count * features, &images) || !argBytes(env, a.v[5], "labels", count, &labels)) return nullptr;
  for (int32_t i = 0; i < count; i++) {
    if (labels[i] >= classes) {
      napi_throw_range_error(env, nullptr, "a label is not below the number of classes");
      return nullptr;
    }
  }
  const mlp::EvalResult r = count == 0 ? mlp::EvalResult{0.0, 0}
      : mlp::evaluateRows(*a.table, layers.data(), (int)layerCount, images, labels, count, features, chunkRows, threads);
  napi_value result, loss, correct;
  napi_create_array_with_length(env, 2, &result);
  napi_create_double(env, r.lossSum, &loss);
  napi_create_double(env, (double)r.correct, &correct);
  napi_set_element(env, result, 0, loss);
  napi_set_element(env, result, 1, correct);
  return result;
}

}  // namespace mlp::bindings
