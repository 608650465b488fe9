#!/bin/sh
# The entry of the hooks in .pre-commit-hooks.yaml: `scripts/pre-commit-hook.sh render|check ARGS`.
#
# pre-commit's `language: rust` builds a hook with `cargo install` without `--locked`
# (pre-commit/pre-commit#3162), which resolves the newest dependency versions instead of the tested
# Cargo.lock. This script installs kruise-inject from the hook's checkout (pre-commit keeps one per
# `rev`, under its cache) with `cargo install --locked`, once, then runs it with the hook's
# arguments. Needs cargo (https://rustup.rs) on PATH for that first run only.
set -eu
repo=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
root="$repo/.pre-commit-build"
bin="$root/bin/kruise-inject"
if [ ! -x "$bin" ]; then
  if ! command -v cargo >/dev/null 2>&1; then
    echo "kruise-inject hook: cargo is not on PATH; install Rust (https://rustup.rs) to build the hook" >&2
    exit 2
  fi
  echo "kruise-inject hook: building kruise-inject (cargo install --locked; once per rev)" >&2
  cargo install --locked --quiet --bins --root "$root" --path "$repo" >&2
fi
exec "$bin" "$@"
