# Sourced by run.sh and test.sh: exports INVX_DATA as an absolute path (the tests run from build/),
# defaulting to ../shared/data beside the project.
data=${INVX_DATA:-$root/../shared/data}
[ -d "$data" ] && data=$(cd "$data" && pwd)
export INVX_DATA=$data
