#!/usr/bin/env bash
# Copy web/ (your working-tree edits included) to DEST so a `next build` / `next start` there does
# not clash with another build of web/.next in this checkout. node_modules is hard-linked (fast).
#   scripts/webcopy.sh DEST      then: cd DEST && npm run build; stack.sh honours TROUPE_WEB_DIR=DEST
. "$(dirname "$0")/lib.sh"
DEST="${1:?usage: webcopy.sh DEST}"
mkdir -p "$DEST"
find "$DEST" -mindepth 1 -maxdepth 1 ! -name node_modules ! -name .next -exec rm -rf {} +
tar -C "$ROOT/web" --exclude=./node_modules --exclude=./.next --exclude=./test-results -cf - . | tar -C "$DEST" -xf -
[ -d "$DEST/node_modules" ] || cp -al "$ROOT/web/node_modules" "$DEST/node_modules"
# the copy's ../contracts etc. are not needed at build time; web imports only its own src/
echo "$DEST"
