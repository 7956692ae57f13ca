// What every N-API binding of the addon checks its arguments with: integer sizes, typed arrays of
// the right type and length. A failed check throws a JS TypeError / RangeError and returns false.
#pragma once
#include <node_api.h>

#include <cstdint>
#include <cstdio>

#include "kernels.h"

namespace mlp::bindings {

using mlp::KernelTable;

inline bool pending(napi_env env) {
  bool is = false;
  napi_is_exception_pending(env, &is);
  return is;
}

inline bool argInt(napi_env env, napi_value v, const char* name, int32_t* out) {
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

// A typed array of `type` with at least `need` elements (TypeError for another type, RangeError
// when it is too short): its data in *out, its element count in *length when asked.
template <typename T>
inline bool argTyped(napi_env env, napi_value v, const char* name, napi_typedarray_type want, const char* typeName,
                     size_t need, T** out, size_t* length_out = nullptr) {
  bool is = false;
  napi_is_typedarray(env, v, &is);
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  if (!is || napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr) != napi_ok || type != want) {
    char msg[96];
    std::snprintf(msg, sizeof msg, "%s must be a %s", name, typeName);
    napi_throw_type_error(env, nullptr, msg);
    return false;
  }
  if (length < need) {
    char msg[128];
    std::snprintf(msg, sizeof msg, "%s has %zu elements, the shape needs %zu", name, length, need);
    napi_throw_range_error(env, nullptr, msg);
    return false;
  }
  *out = static_cast<T*>(data);
  if (length_out) *length_out = length;
  return true;
}

inline bool argFloats(napi_env env, napi_value v, const char* name, size_t need, float** out) {
  return argTyped(env, v, name, napi_float32_array, "Float32Array", need, out);
}

inline bool argBytes(napi_env env, napi_value v, const char* name, size_t need, const unsigned char** out,
                     size_t* length = nullptr) {
  return argTyped(env, v, name, napi_uint8_array, "Uint8Array", need, out, length);
}

inline bool argIndices(napi_env env, napi_value v, const char* name, size_t need, const uint32_t** out,
                       size_t* length = nullptr) {
  return argTyped(env, v, name, napi_uint32_array, "Uint32Array", need, out, length);
}

struct Args {
  napi_value v[10];
  const KernelTable* table;
};

inline bool getArgs(napi_env env, napi_callback_info info, size_t expected, Args* args) {
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

// The data-set bindings (bindings_data.cc): each is bound to a KernelTable through its `data`.
napi_value unpackRows(napi_env env, napi_callback_info info);
napi_value evaluateRows(napi_env env, napi_callback_info info);
// mapFile (map_file.cc); absent on Windows.
napi_value mapFile(napi_env env, napi_callback_info info);

}  // namespace mlp::bindings
