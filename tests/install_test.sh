#!/usr/bin/env bash
# `cmake --install` into a scratch prefix: the binary, the configuration and the systemd unit must
# land where docs/deploy.md says, and the unit's ExecStart must name what was installed (the unit is
# written for the default prefix, /usr/local).
# Usage: tests/install_test.sh BUILD_DIR BINDIR SYSCONFDIR   (the GNUInstallDirs relative dirs)
set -euo pipefail
build_dir=$1 bindir=$2 sysconfdir=$3
source_dir=$(cd "$(dirname "$0")/.." && pwd)
default_prefix=/usr/local

prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
fail() { echo "install_test: $*" >&2; exit 1; }

cmake --install "$build_dir" --prefix "$prefix" >/dev/null

binary=$prefix/$bindir/nfmetrics
config=$prefix/$sysconfdir/nfmetrics/config.yaml
unit=$prefix/lib/systemd/system/nfmetrics.service
[[ -x $binary ]] || fail "no executable $binary"
[[ -f $config ]] || fail "no $config"
[[ -f $unit ]] || fail "no $unit"
cmp -s "$config" "$source_dir/config/metrics-proxy.yaml" || fail "$config is not config/metrics-proxy.yaml"
cmp -s "$unit" "$source_dir/deploy/systemd/nfmetrics.service" || fail "$unit is not the unit in deploy/systemd"
"$binary" serve --help >/dev/null || fail "the installed binary does not run"

# ExecStart's binary and --config, taken at the default prefix, are the files just installed.
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
[[ -n $exec_start ]] || fail "the unit has no ExecStart"
read -r -a words <<<"$exec_start"
unit_binary=${words[0]}
unit_config=""
for ((i = 1; i < ${#words[@]} - 1; i++)); do
  [[ ${words[i]} == --config ]] && unit_config=${words[i + 1]}
done
[[ $unit_binary == "$default_prefix/$bindir/nfmetrics" ]] ||
  fail "ExecStart runs $unit_binary, the install puts the binary at $default_prefix/$bindir/nfmetrics"
[[ $unit_config == "$default_prefix/$sysconfdir/nfmetrics/config.yaml" ]] ||
  fail "ExecStart reads --config '$unit_config', the install puts it at $default_prefix/$sysconfdir/nfmetrics/config.yaml"
[[ -x $prefix/${unit_binary#"$default_prefix"/} ]] || fail "$unit_binary was not installed"
[[ -f $prefix/${unit_config#"$default_prefix"/} ]] || fail "$unit_config was not installed"

# The installed configuration loads: serve reads it and stops only for want of a Prometheus URL.
if out=$("$binary" serve --config "$config" 2>&1); then fail "serve started without a Prometheus URL"; fi
grep -q -- "--prometheus-url" <<<"$out" || fail "serve rejected the installed config: $out"

echo "install_test: $binary, $config and $unit installed; ExecStart matches"
