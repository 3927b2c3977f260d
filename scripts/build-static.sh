#!/usr/bin/env bash
# Builds a fully static hsvc for Linux (glibc, +crt-static) that runs in any
# pod image: distroless, Alpine, scratch.
#
#   scripts/build-static.sh      # -> target/x86_64-unknown-linux-gnu/release/hsvc
#
# The flag goes through RUSTFLAGS with an explicit --target on purpose: with
# --target, cargo applies RUSTFLAGS to the target's code only. Set in
# .cargo/config.toml it would also reach proc-macros on a plain `cargo
# build` ("cannot produce proc-macro … does not support these crate types").
set -euo pipefail
cd "$(dirname "$0")/.."
target="$(uname -m)-unknown-linux-gnu"
RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
  cargo build --release --locked --target "$target" "$@"
bin="${CARGO_TARGET_DIR:-target}/$target/release/hsvc"
if command -v ldd >/dev/null && ldd "$bin" 2>&1 | grep -q '=>'; then
  echo "build-static: $bin has dynamic dependencies:" >&2
  ldd "$bin" >&2
  exit 1
fi
echo "$bin"
