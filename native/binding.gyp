{
  "targets": [
    {
      "target_name": "mlp_kernels",
      "sources": ["src/addon.cc", "src/bindings_data.cc", "src/map_file.cc", "src/evaluate.cc", "src/kernels_generic.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-pthread"],
      "ldflags": ["-pthread"],
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17"] },
      "conditions": [
        ["target_arch=='x64'", {
          "sources": ["src/kernels_avx2.cc", "src/kernels_avx512.cc"],
          "defines": ["MLP_HAVE_AVX2_UNIT=1"]
        }]
      ]
    }
  ]
}
