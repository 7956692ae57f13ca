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

#if defined(MLP_HAVE_AVX2_UNIT)
#include <cpuid.h>
#endif

#include "bindings.h"
#include "kernels.h"

namespace {

using mlp::KernelTable;
using namespace mlp::bindings;

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

// gemmBytes(m, n, k, A: Uint8Array, B: Float32Array, C: Float32Array): C = (A / 255)·B.
napi_value gemmBytes(napi_env env, napi_callback_info info) {
  Args a;
  int32_t m, n, k;
  const unsigned char* A;
  float *B, *C;
  if (!getArgs(env, info, 6, &a) || !argInt(env, a.v[0], "m", &m) || !argInt(env, a.v[1], "n", &n) ||
      !argInt(env, a.v[2], "k", &k) || !argBytes(env, a.v[3], "A", (size_t)m * k, &A) ||
      !argFloats(env, a.v[4], "B", (size_t)k * n, &B) || !argFloats(env, a.v[5], "C", (size_t)m * n, &C)) {
    return nullptr;
  }
  if (m == 0 || n == 0) return nullptr;
  a.table->gemmBytes(m, n, k, A, B, C);
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

napi_value multiply(napi_env env, napi_callback_info info) {
  Args a;
  int32_t length;
  float *x, *y, *out;
  if (!getArgs(env, info, 4, &a) || !argInt(env, a.v[0], "length", &length) || !argFloats(env, a.v[1], "x", length, &x) ||
      !argFloats(env, a.v[2], "y", length, &y) || !argFloats(env, a.v[3], "out", length, &out)) {
    return nullptr;
  }
  a.table->multiply(length, x, y, out);
  return nullptr;
}

// bernoulliMask(length, state: Int32Array(4), threshold ≤ 2^31, value, out: Float32Array).
napi_value bernoulliMask(napi_env env, napi_callback_info info) {
  Args a;
  int32_t length;
  int32_t* state;
  double threshold, value;
  float* out;
  if (!getArgs(env, info, 5, &a) || !argInt(env, a.v[0], "length", &length) ||
      !argTyped(env, a.v[1], "state", napi_int32_array, "Int32Array", 4, &state)) {
    return nullptr;
  }
  if (napi_get_value_double(env, a.v[2], &threshold) != napi_ok || !(threshold >= 0) || threshold > 2147483648.0 ||
      threshold != (double)(int64_t)threshold) {
    napi_throw_range_error(env, nullptr, "threshold must be an integer from 0 to 2^31");
    return nullptr;
  }
  if (napi_get_value_double(env, a.v[3], &value) != napi_ok) {
    napi_throw_type_error(env, nullptr, "value must be a number");
    return nullptr;
  }
  if (!argFloats(env, a.v[4], "out", length, &out)) return nullptr;
  mlp::bernoulliMask(length, state, (uint32_t)threshold, (float)value, out);
  return nullptr;
}

// unpackBytes(length, src: Uint8Array, dst: Float32Array): dst[i] = src[i] / 255.
napi_value unpackBytes(napi_env env, napi_callback_info info) {
  Args a;
  int32_t length;
  const unsigned char* src;
  float* dst;
  if (!getArgs(env, info, 3, &a) || !argInt(env, a.v[0], "length", &length) || !argBytes(env, a.v[1], "src", length, &src) ||
      !argFloats(env, a.v[2], "dst", length, &dst)) {
    return nullptr;
  }
  a.table->unpackBytes(length, src, dst);
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
      {"gemmBytes", nullptr, gemmBytes, nullptr, nullptr, nullptr, napi_enumerable, data},
      {"gemmNT", nullptr, product<Product::NT>, nullptr, nullptr, nullptr, napi_enumerable, data},
      {"gemmTN", nullptr, product<Product::TN>, nullptr, nullptr, nullptr, napi_enumerable, data},
      {"biasActivation", nullptr, biasActivation, nullptr, nullptr, nullptr, napi_enumerable, data},
      {"activationBackward", nullptr, activationBackward, nullptr, nullptr, nullptr, napi_enumerable, data},
      {"addBias", nullptr, addBias, nullptr, nullptr, nullptr, napi_enumerable, data},
      {"columnSums", nullptr, columnSums, nullptr, nullptr, nullptr, napi_enumerable, data},
      {"axpy", nullptr, axpy, nullptr, nullptr, nullptr, napi_enumerable, data},
      {"multiply", nullptr, multiply, nullptr, nullptr, nullptr, napi_enumerable, data},
      {"bernoulliMask", nullptr, bernoulliMask, nullptr, nullptr, nullptr, napi_enumerable, data},
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

// AMD family 19h with AVX-512 is Zen 4, which runs each 512-bit instruction as two 256-bit halves:
// there the AVX2 products ran 8% faster than the AVX-512 ones (106.6 against 98.0 GFLOP/s on a
// step's products, docs/benchmarks/2026-12-05.md). Zen 5 (family 1Ah) and Intel's AVX-512 cores
// execute them at full width.
bool avx512HalfWidth() {
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(0, &eax, &ebx, &ecx, &edx)) return false;
  const bool amd = ebx == 0x68747541 && edx == 0x69746e65 && ecx == 0x444d4163;  // "AuthenticAMD"
  if (!amd || !__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return false;
  unsigned family = (eax >> 8) & 0xF;
  if (family == 0xF) family += (eax >> 20) & 0xFF;
  return family == 0x19;
}

// The AVX2 table with the AVX-512 products.
const KernelTable* avx512Table() {
  static const KernelTable table = [] {
    KernelTable t = mlp::kAvx2Kernels;
    t.isa = "avx512f";
    t.gemm = mlp::gemmAvx512;
    t.gemmBytes = mlp::gemmBytesAvx512;
    t.gemmTN = mlp::gemmTNAvx512;
    return t;
  }();
  return &table;
}
#endif

// The fastest table this CPU runs: AVX-512 where it runs at full width, else AVX2, else portable.
// MLP_LAB_NATIVE_ISA=generic|avx2|avx512 picks one the CPU has instead (for comparisons).
const KernelTable* bestTable() {
#if defined(MLP_HAVE_AVX2_UNIT)
  const char* choice = std::getenv("MLP_LAB_NATIVE_ISA");
  const bool generic = choice && std::strcmp(choice, "generic") == 0;
  const bool avx2 = choice && std::strcmp(choice, "avx2") == 0;
  const bool avx512 = choice && std::strcmp(choice, "avx512") == 0;
  if (!generic && !avx2 && hasAvx512() && (avx512 || !avx512HalfWidth())) return avx512Table();
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
