// Evaluation of a whole set of byte images in one native call (see evaluate.cc).
#pragma once
#include "kernels.h"

namespace mlp {

struct EvalLayer {
  const float* W;  // nIn × nOut
  const float* b;  // nOut
  int nIn;
  int nOut;
  int activation;  // an Activation code, or -1 for the softmax layer (bias only: its logits)
};

struct EvalResult {
  double lossSum;  // summed cross-entropy, chunk sums added in chunk order
  long correct;    // rows whose first arg-max equals the label
};

// Rows [0, count) of images (count × features bytes, unpacked as unpackBytes does) with their
// labels (each below the last layer's nOut), in chunks of chunkRows, on `threads` threads.
EvalResult evaluateRows(const KernelTable& t, const EvalLayer* layers, int layerCount, const unsigned char* images,
                        const unsigned char* labels, int count, int features, int chunkRows, int threads);

}  // namespace mlp
