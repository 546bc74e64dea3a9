# Sourced by the GPU-machine scripts after they set $out: the carried environment, the data
# directory, and build-gpu/app/invx against PyTorch's CUDA libtorch (configured once per machine).
mkdir -p "$out"
source .gpu-carry/gpu-env.sh
export INVX_DATA="$PWD/.gpu-data"
if [ ! -x build-gpu/app/invx ]; then
  cmake -S . -B build-gpu -G Ninja -DINVX_BUILD_GUI=OFF -DINVX_BUILD_TESTS=OFF -DINVX_BUILD_BENCHMARKS=OFF -DCMAKE_BUILD_TYPE=Release > "$out/cmake.log" 2>&1
fi
ninja -C build-gpu invx > "$out/build.log" 2>&1 || { grep -E "error|FAILED" "$out/build.log" | head -30; exit 1; }
