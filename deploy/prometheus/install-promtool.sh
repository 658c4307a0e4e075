#!/usr/bin/env bash
# Make promtool available at .tools/promtool (repository root) and print its path.
# Idempotent: a working .tools/promtool is kept. promtool comes from Debian's `prometheus`
# package, downloaded and unpacked only (no service is installed or started).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
tools="$root/.tools"
target="$tools/promtool"

if [ -x "$target" ] && "$target" --version >/dev/null 2>&1; then
  echo "$target"
  exit 0
fi

mkdir -p "$tools"
[ -f "$tools/.gitignore" ] || printf '*\n' >"$tools/.gitignore"  # the folder ignores itself
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
if ! apt-get download prometheus >&2; then
  apt-get update -qq >&2
  apt-get download prometheus >&2
fi
dpkg -x prometheus_*.deb "$work/pkg"
install -m 0755 "$work/pkg/usr/bin/promtool" "$target.partial"
mv "$target.partial" "$target"
"$target" --version >&2
echo "$target"
