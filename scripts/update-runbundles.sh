#!/usr/bin/env bash
# Re-resolves the distribution's .bndrun files and writes their -runbundles afresh. The build
# fails when a committed -runbundles is stale; run this, check the diff, commit it.
# Extra arguments go to mvn (e.g. -Dmaven.repo.local=...).
# (The resolver keeps the old entries' order when it rewrites a list, but compares lists in
# order, so the list is emptied first and written sorted.)
set -euo pipefail
cd "$(dirname "$0")/.."
for bndrun in distribution/*.bndrun; do
  sed -i '/^-runbundles:/,$d' "$bndrun"
  echo '-runbundles: ' >> "$bndrun"
done
mvn -B -q install -pl distribution -am -DskipTests -Dhyphae.runbundles.verify=false "$@"
git --no-pager diff --stat -- distribution/*.bndrun
