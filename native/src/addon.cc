// N-API bindings: one JS function per kernel, each bound to a KernelTable through its `data`
// pointer. Every call checks its arguments (types, integer sizes, buffer lengths) before touching
// memory, so a wrong call throws a RangeError/TypeError instead of corrupting the heap.
//
// exports: { isa, gemm, gemmNT, ..., variants: { generic, avx2? } } — the top level is the best
// table this CPU supports; `variants` lets tests exercise the portable path on any machine.
#include <node_api.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#if !defined(_WIN32)
#include <cerrno>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include "evaluate.h"
#include "kernels.h"

namespace {

using mlp::KernelTable;

bool pending(napi_env env) {
  bool is = false;
  napi_is_exception_pending(env, &is);
  return is;
}

bool argInt(napi_env env, napi_value v, const char* name, int32_t* out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d >= 0) || d > 2147483647.0 || d != (double)(int32_t)d) {
    char msg[96];
    std::snprintf(msg, sizeof msg, "%s must be a non-negative integer", name);
    napi_throw_range_error(env, nullptr, msg);
    return false;
  }
  *out = (int32_t)d;
  return true;
}

bool argFloats(napi_env env, napi_value v, const char* name, size_t need, float** out) {
  bool is = false;
  napi_is_typedarray(env, v, &is);
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  if (!is || napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr) != napi_ok ||
      type != napi_float32_array) {
    char msg[96];
    std::snprintf(msg, sizeof msg, "%s must be a Float32Array", name);
    napi_throw_type_error(env, nullptr, msg);
    return false;
  }
  if (length < need) {
    char msg[128];
    std::snprintf(msg, sizeof msg, "%s has %zu elements, the shape needs %zu", name, length, need);
    napi_throw_range_error(env, nullptr, msg);
    return false;
  }
  *out = static_cast<float*>(data);
  return true;
}

struct Args {
  napi_value v[10];
  const KernelTable* table;
};

bool getArgs(napi_env env, napi_callback_info info, size_t expected, Args* args) {
  size_t argc = 10;
  void* data = nullptr;
  napi_get_cb_info(env, info, &argc, args->v, nullptr, &data);
  args->table = static_cast<const KernelTable*>(data);
  if (argc < expected) {
    char msg[64];
    std::snprintf(msg, sizeof msg, "expected %zu arguments, got %zu", expected, argc);
    napi_throw_type_error(env, nullptr, msg);
    return false;
  }
  return true;
}

enum class Product { NN, NT, TN };

template <Product P>
napi_value product(napi_env env, napi_callback_info info) {
  Args a;
  int32_t m, n, k;
  float *A, *B, *C;
  if (!getArgs(env, info, 6, &a) || !argInt(env, a.v[0], "m", &m) || !argInt(env, a.v[1], "n", &n) ||
      !argInt(env, a.v[2], "k", &k) || !argFloats(env, a.v[3], "A", (size_t)m * k, &A) ||
      !argFloats(env, a.v[4], "B", (size_t)k * n, &B) || !argFloats(env, a.v[5], "C", (size_t)m * n, &C)) {
    return nullptr;
  }
  if (m == 0 || n == 0) return nullptr;
  if (P == Product::NN) a.table->gemm(m, n, k, A, B, C);
  else if (P == Product::NT) a.table->gemmNT(m, n, k, A, B, C);
  else a.table->gemmTN(m, n, k, A, B, C);
  return nullptr;
}

bool argActivation(napi_env env, napi_value v, int32_t* out) {
  if (!argInt(env, v, "activation", out)) return false;
  if (*out > mlp::kTanh) {
    napi_throw_range_error(env, nullptr, "activation code must be 0 (relu), 1 (sigmoid) or 2 (tanh)");
    return false;
  }
  return true;
}

napi_value biasActivation(napi_env env, napi_callback_info info) {
  Args a;
  int32_t rows, cols, act;
  float *Z, *b;
  if (!getArgs(env, info, 5, &a) || !argInt(env, a.v[0], "rows", &rows) || !argInt(env, a.v[1], "cols", &cols) ||
      !argFloats(env, a.v[2], "Z", (size_t)rows * cols, &Z) || !argFloats(env, a.v[3], "b", cols, &b) ||
      !argActivation(env, a.v[4], &act)) {
    return nullptr;
  }
  a.table->biasActivation(rows, cols, Z, b, act);
  return nullptr;
}

napi_value activationBackward(napi_env env, napi_callback_info info) {
  Args a;
  int32_t length, act;
  float *dA, *A;
  if (!getArgs(env, info, 4, &a) || !argInt(env, a.v[0], "length", &length) ||
      !argFloats(env, a.v[1], "dA", length, &dA) || !argFloats(env, a.v[2], "A", length, &A) ||
      !argActivation(env, a.v[3], &act)) {
    return nullptr;
  }
  a.table->activationBackward(length, dA, A, act);
  return nullptr;
}

napi_value addBias(napi_env env, napi_callback_info info) {
  Args a;
  int32_t rows, cols;
  float *Z, *b;
  if (!getArgs(env, info, 4, &a) || !argInt(env, a.v[0], "rows", &rows) || !argInt(env, a.v[1], "cols", &cols) ||
      !argFloats(env, a.v[2], "Z", (size_t)rows * cols, &Z) || !argFloats(env, a.v[3], "b", cols, &b)) {
    return nullptr;
  }
  a.table->addBias(rows, cols, Z, b);
  return nullptr;
}

napi_value columnSums(napi_env env, napi_callback_info info) {
  Args a;
  int32_t rows, cols;
  float *X, *out;
  if (!getArgs(env, info, 4, &a) || !argInt(env, a.v[0], "rows", &rows) || !argInt(env, a.v[1], "cols", &cols) ||
      !argFloats(env, a.v[2], "X", (size_t)rows * cols, &X) || !argFloats(env, a.v[3], "out", cols, &out)) {
    return nullptr;
  }
  a.table->columnSums(rows, cols, X, out);
  return nullptr;
}

napi_value axpy(napi_env env, napi_callback_info info) {
  Args a;
  int32_t length;
  double alpha;
  float *x, *y;
  if (!getArgs(env, info, 4, &a) || !argInt(env, a.v[0], "length", &length)) return nullptr;
  if (napi_get_value_double(env, a.v[1], &alpha) != napi_ok) {
    napi_throw_type_error(env, nullptr, "alpha must be a number");
    return nullptr;
  }
  if (!argFloats(env, a.v[2], "x", length, &x) || !argFloats(env, a.v[3], "y", length, &y)) return nullptr;
  a.table->axpy(length, (float)alpha, x, y);
  return nullptr;
}

// unpackBytes(length, src: Uint8Array, dst: Float32Array): dst[i] = src[i] / 255.
napi_value unpackBytes(napi_env env, napi_callback_info info) {
  Args a;
  int32_t length;
  float* dst;
  if (!getArgs(env, info, 3, &a) || !argInt(env, a.v[0], "length", &length)) return nullptr;
  bool is = false;
  napi_typedarray_type type;
  size_t have = 0;
  void* data = nullptr;
  napi_is_typedarray(env, a.v[1], &is);
  if (!is || napi_get_typedarray_info(env, a.v[1], &type, &have, &data, nullptr, nullptr) != napi_ok ||
      type != napi_uint8_array) {
    napi_throw_type_error(env, nullptr, "src must be a Uint8Array");
    return nullptr;
  }
  if (have < (size_t)length) {
    napi_throw_range_error(env, nullptr, "src is shorter than length");
    return nullptr;
  }
  if (!argFloats(env, a.v[2], "dst", length, &dst)) return nullptr;
  a.table->unpackBytes(length, static_cast<const unsigned char*>(data), dst);
  return nullptr;
}

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
  napi_typedarray_type type;
  size_t srcLength = 0, orderLength = 0;
  void *src = nullptr, *order = nullptr;
  bool is = false;
  napi_is_typedarray(env, a.v[2], &is);
  if (!is || napi_get_typedarray_info(env, a.v[2], &type, &srcLength, &src, nullptr, nullptr) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, nullptr, "src must be a Uint8Array");
    return nullptr;
  }
  is = false;
  napi_is_typedarray(env, a.v[3], &is);
  if (!is || napi_get_typedarray_info(env, a.v[3], &type, &orderLength, &order, nullptr, nullptr) != napi_ok || type != napi_uint32_array) {
    napi_throw_type_error(env, nullptr, "order must be a Uint32Array");
    return nullptr;
  }
  if ((size_t)start + (size_t)rows > orderLength) {
    napi_throw_range_error(env, nullptr, "start + rows is past the end of order");
    return nullptr;
  }
  if (!argFloats(env, a.v[5], "dst", (size_t)rows * (size_t)features, &dst)) return nullptr;
  const uint32_t* index = static_cast<const uint32_t*>(order) + start;
  const size_t srcRows = features > 0 ? srcLength / (size_t)features : 0;
  for (int32_t r = 0; r < rows; r++) {
    if (index[r] >= srcRows) {
      napi_throw_range_error(env, nullptr, "order names a row past the end of src");
      return nullptr;
    }
  }
  const unsigned char* bytes = static_cast<const unsigned char*>(src);
  for (int32_t r = 0; r < rows; r++) {
    a.table->unpackBytes(features, bytes + (size_t)index[r] * features, dst + (size_t)r * features);
  }
  return nullptr;
}

// softmaxCrossEntropy(rows, cols, Z, labels: Uint8Array, dZ: Float32Array | null) → loss sum.
napi_value softmaxCrossEntropy(napi_env env, napi_callback_info info) {
  Args a;
  int32_t rows, cols;
  float *Z, *dZ = nullptr;
  if (!getArgs(env, info, 5, &a) || !argInt(env, a.v[0], "rows", &rows) || !argInt(env, a.v[1], "cols", &cols) ||
      !argFloats(env, a.v[2], "Z", (size_t)rows * cols, &Z)) {
    return nullptr;
  }
  bool is = false;
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_is_typedarray(env, a.v[3], &is);
  if (!is || napi_get_typedarray_info(env, a.v[3], &type, &length, &data, nullptr, nullptr) != napi_ok ||
      type != napi_uint8_array || length < (size_t)rows) {
    napi_throw_type_error(env, nullptr, "labels must be a Uint8Array of at least rows elements");
    return nullptr;
  }
  const unsigned char* labels = static_cast<const unsigned char*>(data);
  for (int i = 0; i < rows; i++) {
    if (labels[i] >= cols) {
      napi_throw_range_error(env, nullptr, "a label is not below cols");
      return nullptr;
    }
  }
  napi_valuetype dzType;
  napi_typeof(env, a.v[4], &dzType);
  if (dzType != napi_null && !argFloats(env, a.v[4], "dZ", (size_t)rows * cols, &dZ)) return nullptr;
  napi_value result;
  napi_create_double(env, rows == 0 ? 0.0 : mlp::softmaxCrossEntropy(rows, cols, Z, labels, dZ), &result);
  return result;
}

bool argBytes(napi_env env, napi_value v, const char* name, size_t need, const unsigned char** out) {
  bool is = false;
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_is_typedarray(env, v, &is);
  if (!is || napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr) != napi_ok || type != napi_uint8_array) {
    char msg[96];
    std::snprintf(msg, sizeof msg, "%s must be a Uint8Array", name);
    napi_throw_type_error(env, nullptr, msg);
    return false;
  }
  if (length < need) {
    char msg[128];
    std::snprintf(msg, sizeof msg, "%s has %zu elements, %zu are needed", name, length, need);
    napi_throw_range_error(env, nullptr, msg);
    return false;
  }
  *out = static_cast<const unsigned char*>(data);
  return true;
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

#if !defined(_WIN32)
void unmapFile(napi_env, void* data, void* hint) {
  munmap(data, reinterpret_cast<size_t>(hint));
}

// mapFile(path) → ArrayBuffer over the whole file, mapped copy-on-write. A data set read this way
// costs no copy and no fresh memory: its pages are the page cache's, shared by every worker process
// that maps the same file. Throws an Error (code ENOENT for a missing file) or returns null for an
// empty file, which cannot be mapped.
napi_value mapFile(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  napi_get_cb_info(env, info, &argc, &arg, nullptr, nullptr);
  char path[4096];
  size_t length = 0;
  if (argc < 1 || napi_get_value_string_utf8(env, arg, path, sizeof path, &length) != napi_ok || length >= sizeof path - 1) {
    napi_throw_type_error(env, nullptr, "path must be a string shorter than 4095 bytes");
    return nullptr;
  }
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) {
    const int error = errno;
    if (fd >= 0) close(fd);
    napi_throw_error(env, error == ENOENT ? "ENOENT" : nullptr, std::strerror(error));
    return nullptr;
  }
  napi_value result;
  if (!S_ISREG(st.st_mode) || st.st_size == 0) {
    close(fd);
    napi_get_null(env, &result);
    return result;
  }
  const size_t size = static_cast<size_t>(st.st_size);
  // Writable so that a stray write copies a page instead of crashing; never MAP_POPULATE, which
  // on a writable private mapping faults every page in for writing, i.e. copies the whole file.
  void* data = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  const int error = errno;
  close(fd);
  if (data == MAP_FAILED) {
    napi_throw_error(env, nullptr, std::strerror(error));
    return nullptr;
  }
#if defined(MADV_POPULATE_READ)
  // The whole set is read at every evaluation: its page-table entries filled at once (read-only,
  // still shared) cost less than a fault each. Older kernels refuse it, which changes nothing.
  madvise(data, size, MADV_POPULATE_READ);
#endif
  if (napi_create_external_arraybuffer(env, data, size, unmapFile, reinterpret_cast<void*>(size), &result) != napi_ok) {
    munmap(data, size);
    napi_throw_error(env, nullptr, "external array buffers are not allowed in this runtime");
    return nullptr;
  }
  return result;
}
#endif

// Floats to skip from the start of a Float32Array so that its data begins on a 64-byte line.
napi_value alignmentSkip(napi_env env, napi_callback_info info) {
  Args a;
  float* data;
  if (!getArgs(env, info, 1, &a) || !argFloats(env, a.v[0], "array", 0, &data)) return nullptr;
  const uintptr_t address = reinterpret_cast<uintptr_t>(data);
  napi_value result;
  napi_create_int32(env, (int32_t)(((64 - address % 64) % 64) / sizeof(float)), &result);
  return result;
}

napi_value makeTable(napi_env env, const KernelTable* table) {
  napi_value obj, isa;
  napi_create_object(env, &obj);
  napi_create_string_utf8(env, table->isa, NAPI_AUTO_LENGTH, &isa);
  void* data = const_cast<KernelTable*>(table);
  const napi_property_descriptor props[] = {
      {"isa", nullptr, nullptr, nullptr, nullptr, isa, napi_enumerable, nullptr},
      {"gemm", nullptr, product<Product::NN>, nullptr, nullptr, nullptr, napi_enumerable, data},
      {"gemmNT", nullptr, product<Product::NT>, nullptr, nullptr, nullptr, napi_enumerable, data},
      {"gemmTN", nullptr, product<Product::TN>, nullptr, nullptr, nullptr, napi_enumerable, data},
      {"biasActivation", nullptr, biasActivation, nullptr, nullptr, nullptr, napi_enumerable, data},
      {"activationBackward", nullptr, activationBackward, nullptr, nullptr, nullptr, napi_enumerable, data},
      {"addBias", nullptr, addBias, nullptr, nullptr, nullptr, napi_enumerable, data},
      {"columnSums", nullptr, columnSums, nullptr, nullptr, nullptr, napi_enumerable, data},
      {"axpy", nullptr, axpy, nullptr, nullptr, nullptr, napi_enumerable, data},
      {"unpackBytes", nullptr, unpackBytes, nullptr, nullptr, nullptr, napi_enumerable, data},
      {"unpackRows", nullptr, unpackRows, nullptr, nullptr, nullptr, napi_enumerable, data},
      {"evaluateRows", nullptr, evaluateRows, nullptr, nullptr, nullptr, napi_enumerable, data},
      {"softmaxCrossEntropy", nullptr, softmaxCrossEntropy, nullptr, nullptr, nullptr, napi_enumerable, data},
      {"alignmentSkip", nullptr, alignmentSkip, nullptr, nullptr, nullptr, napi_enumerable, data},
  };
  napi_define_properties(env, obj, sizeof props / sizeof props[0], props);
  return obj;
}

#if defined(MLP_HAVE_AVX2_UNIT)
bool hasAvx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

bool hasAvx512() {
  __builtin_cpu_init();
  return hasAvx2() && __builtin_cpu_supports("avx512f");
}

// The AVX2 table with the AVX-512 products.
const KernelTable* avx512Table() {
  static const KernelTable table = [] {
    KernelTable t = mlp::kAvx2Kernels;
    t.isa = "avx512f";
    t.gemm = mlp::gemmAvx512;
    t.gemmTN = mlp::gemmTNAvx512;
    return t;
  }();
  return &table;
}
#endif

// The fastest table this CPU runs; MLP_LAB_NATIVE_ISA=generic|avx2 caps it (for comparisons).
const KernelTable* bestTable() {
#if defined(MLP_HAVE_AVX2_UNIT)
  const char* cap = std::getenv("MLP_LAB_NATIVE_ISA");
  const bool generic = cap && std::strcmp(cap, "generic") == 0;
  const bool avx2 = cap && std::strcmp(cap, "avx2") == 0;
  if (!generic && !avx2 && hasAvx512()) return avx512Table();
  if (!generic && hasAvx2()) return &mlp::kAvx2Kernels;
#endif
  return &mlp::kGenericKernels;
}

napi_value init(napi_env env, napi_value exports) {
  napi_value best = makeTable(env, bestTable());
  napi_value variants;
  napi_create_object(env, &variants);
  napi_set_named_property(env, variants, "generic", makeTable(env, &mlp::kGenericKernels));
#if defined(MLP_HAVE_AVX2_UNIT)
  if (hasAvx2()) napi_set_named_property(env, variants, "avx2", makeTable(env, &mlp::kAvx2Kernels));
  if (hasAvx512()) napi_set_named_property(env, variants, "avx512", makeTable(env, avx512Table()));
#endif
  napi_set_named_property(env, best, "variants", variants);
#if !defined(_WIN32)
  napi_value map;
  napi_create_function(env, "mapFile", NAPI_AUTO_LENGTH, mapFile, nullptr, &map);
  napi_set_named_property(env, best, "mapFile", map);
#endif
  if (pending(env)) return nullptr;
  return best;
}

}  // namespace

NAPI_MODULE_INIT() { return init(env, exports); }
