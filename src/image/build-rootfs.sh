#!/usr/bin/env bash
# Builds the container root file system that jib layers the app onto (profile `image`): a jlink'd Java runtime
# plus exactly the shared libraries it links against, so the image needs no base image from a registry.
set -euo pipefail
out="$1"
rm -rf "$out"
mkdir -p "$out/opt" "$out/tmp" "$out/data" "$out/etc"
chmod 1777 "$out/tmp"
jlink --add-modules java.se,jdk.unsupported,jdk.crypto.ec,jdk.management,jdk.zipfs,jdk.naming.dns,jdk.localedata \
      --strip-debug --no-man-pages --no-header-files --compress=2 --output "$out/opt/java"
# the libraries every binary and .so of the runtime needs, at the paths the dynamic loader looks in
find "$out/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 | xargs -0 ldd 2>/dev/null \
  | grep -oE '(/[^ ]+\.so[^ ]*)' | sort -u | while read -r lib; do
    case "$lib" in "$out"/*) continue ;; esac
    mkdir -p "$out$(dirname "$lib")"
    cp -L "$lib" "$out$lib"
  done
printf 'root:x:0:0:root:/:/sbin/nologin\ngateway:x:65532:65532:agc-gateway:/data:/sbin/nologin\n' > "$out/etc/passwd"
printf 'root:x:0:\ngateway:x:65532:\n' > "$out/etc/group"
echo "rootfs: $(du -sh "$out" | cut -f1) in $out"
