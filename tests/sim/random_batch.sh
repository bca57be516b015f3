#!/usr/bin/env bash
# A short batch of random sentinel-sim seeds for CI: new seeds every run (from $RANDOM, not
# from the simulator, which never reads a clock), stopped by a wall-time budget. Every failing
# seed is printed with the exact command that replays it; a failing seed found this way belongs
# in the regression list of tests/CMakeLists.txt once understood.
#
# usage: random_batch.sh SENTINEL_SIM [COUNT [BUDGET_SECONDS]]
set -u
sim=${1:?usage: random_batch.sh SENTINEL_SIM [COUNT [BUDGET_SECONDS]]}
count=${2:-20}
budget=${3:-30}

failed=()
ran=0
SECONDS=0
for ((i = 0; i < count; i++)); do
    if ((SECONDS >= budget)); then
        echo "time budget of ${budget}s used up after ${ran} seeds"
        break
    fi
    # Two $RANDOMs: 30 bits, far from the fixed seeds (small numbers) the suite runs anyway.
    seed=$(((RANDOM << 15 | RANDOM) + 100000))
    ran=$((ran + 1))
    if out=$("$sim" --seed "$seed" --quiet); then
        echo "$out"
    else
        echo "$out"
        failed+=("$seed")
    fi
done

echo "random batch: ${ran} seeds, ${#failed[@]} failed"
for seed in "${failed[@]}"; do
    echo "FAILED seed ${seed}: replay with: $sim --seed ${seed} --verbose"
done
((${#failed[@]} == 0))
