# Sourced by the GPU-machine scripts after they set $out: the carried environment, the data
# directory, then everything (CLI, tests, benchmarks; our CUDA kernels) built against PyTorch's CUDA
# libtorch in build-gpu/, and the test suite run (ctest.log in $out, its last lines printed).
mkdir -p "$out"
source .gpu-carry/gpu-env.sh
export INVX_DATA="$PWD/.gpu-data"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$out/gpu.txt"
cmake -S . -B build-gpu -G Ninja -DINVX_BUILD_GUI=OFF -DINVX_BUILD_TESTS=ON -DINVX_BUILD_BENCHMARKS=ON -DCMAKE_BUILD_TYPE=Release \
  > "$out/cmake.log" 2>&1 || { tail -40 "$out/cmake.log"; exit 1; }
grep "CUDA kernels" "$out/cmake.log"
ninja -C build-gpu > "$out/build.log" 2>&1 || { grep -E "error|FAILED" "$out/build.log" | head -40; exit 1; }
(cd build-gpu && ctest --output-on-failure) > "$out/ctest.log" 2>&1
tail -4 "$out/ctest.log"
