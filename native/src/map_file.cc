// mapFile: a data file mapped into memory instead of read (see NativeAddon.mapFile).
#include "bindings.h"

#if !defined(_WIN32)
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mlp::bindings {

static void unmapFile(napi_env, void* data, void* hint) {
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

}  // namespace mlp::bindings
#endif
