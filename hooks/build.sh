#!/bin/sh
# The ASK CLI's build step (`ask deploy` runs hooks/build.sh in a folder of its own, with
# the path of the zip it will upload): the zip `make package` builds, exactly as tested,
# rather than the CLI's own `pip install` of lambda/requirements.txt.
#   hooks/build.sh OUTPUT.zip [debug]
set -eu
output="$1"
root="$(cd "$(dirname "$0")/.." && pwd)"
make -C "$root" --no-print-directory package >&2
cp "$root/build/lambda.zip" "$output"
