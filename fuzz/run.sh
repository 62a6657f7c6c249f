#!/usr/bin/env bash
# Builds and runs every fuzz target for SECONDS each (default 30); fails on the first crash.
#
#   fuzz/run.sh 30            # every target, 30 s each (what CI runs)
#   fuzz/run.sh 1800 scrub    # one target, 30 min
#
# Works on a fresh machine: installs cargo-fuzz if missing, uses a nightly
# toolchain when there is one, else RUSTC_BOOTSTRAP=1 on stable, and as a last
# resort `--sanitizer none` (no AddressSanitizer, which the crate's
# forbid(unsafe_code) makes the least useful part anyway).
# The corpus grows in fuzz/corpus/<target>/ (git-ignored), seeded from
# fuzz/corpus-seed/<target>/; crashes land in fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")"

seconds="${1:-30}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(decode_response segment scrub toolbox_dispatch mcp_request)
fi
case "$seconds" in '' | *[!0-9]*) echo "usage: fuzz/run.sh SECONDS [TARGET...]" >&2; exit 2 ;; esac

if ! cargo fuzz --version > /dev/null 2>&1; then
    echo "==> installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

# FUZZ_DEV=1 builds without optimisation (cargo fuzz --dev): a few times quicker to build, slower to
# fuzz; right for CI's short smoke runs, not for the long runs.
profile=()
[ "${FUZZ_DEV:-0}" = 1 ] && profile=(--dev)

# Pick the first way of building that works: nightly, stable with RUSTC_BOOTSTRAP, stable without sanitizer.
fuzz=()
sanitizer=()
if rustup run nightly rustc --version > /dev/null 2>&1 && cargo +nightly fuzz build "${profile[@]}" "${targets[0]}" > /dev/null 2>&1; then
    fuzz=(cargo +nightly fuzz)
elif RUSTC_BOOTSTRAP=1 cargo fuzz build "${profile[@]}" "${targets[0]}" > /dev/null 2>&1; then
    fuzz=(env RUSTC_BOOTSTRAP=1 cargo fuzz)
else
    # A failed attempt can leave rustc information cargo-fuzz then trusts.
    rm -f target/.rustc_info.json
    fuzz=(env RUSTC_BOOTSTRAP=1 cargo fuzz)
    sanitizer=(--sanitizer none)
fi
echo "==> building with: ${fuzz[*]} ${sanitizer[*]} ${profile[*]}"
"${fuzz[@]}" build "${sanitizer[@]}" "${profile[@]}"

failed=()
for target in "${targets[@]}"; do
    echo "==> $target for ${seconds}s"
    mkdir -p "corpus/$target"
    dict=()
    [ -f "dict/$target.dict" ] && dict=("-dict=dict/$target.dict")
    [ "$target" = decode_response ] && dict=("-dict=dict/matomo_json.dict")
    if ! "${fuzz[@]}" run "${sanitizer[@]}" "${profile[@]}" "$target" "corpus/$target" "corpus-seed/$target" -- \
        -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 "${dict[@]}" \
        -print_final_stats=1; then
        failed+=("$target")
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "==> CRASH in: ${failed[*]} (inputs in fuzz/artifacts/<target>/; replay with" >&2
    echo "    ${fuzz[*]} run <target> fuzz/artifacts/<target>/<file>)" >&2
    exit 1
fi
echo "==> every target ran ${seconds}s without a crash"
