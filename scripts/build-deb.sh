#!/usr/bin/env bash
# Package the frozen bundle (scripts/build.sh's dist/kesu-desk/) as dist/kesu-desk_VERSION_ARCH.deb.
#   /opt/kesu-desk/                                the bundle, as built
#   /usr/bin/kesu, /usr/bin/kesu-desk              symlinks into it
#   /usr/share/applications/kesu-desk.desktop      the menu entry (Kesu Desk / 客诉台 / 客訴台)
#   /usr/share/icons/hicolor/scalable/apps/kesu-desk.svg
# Everything Python needs is in the bundle; Depends names only the system libraries Qt loads, which a
# counter PC's own Debian/Ubuntu installation media carry, so `apt-get install ./kesu-desk_*.deb`
# needs no network when they are there already. Made with dpkg-deb alone: no network, no root.
set -euo pipefail
cd "$(dirname "$0")/.."
bundle=dist/kesu-desk
[ -x "$bundle/kesu-desk" ] && [ -x "$bundle/kesu" ] || { echo "build-deb: run scripts/build.sh first" >&2; exit 1; }
version=$(python3 -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
arch=$(dpkg --print-architecture)
# The bundle must not need a library that neither it nor the Depends below provide. Qt's GTK theme
# plugin is the exception: Qt loads it only where GTK 3 is installed (a GNOME desktop), for the native
# look, and runs without it anywhere else.
missing=$(find "$bundle" -type f \( -name '*.so*' -o -name kesu -o -name kesu-desk \) ! -name 'libqgtk3.so' \
  -exec ldd {} + 2>/dev/null | grep 'not found' | sort -u \
  | grep -v -E '^\s*libwayland-(client|cursor|egl)\.so' || true)  # in Depends; a build machine may lack them
if [ -n "$missing" ]; then
  echo "build-deb: the bundle needs libraries this machine lacks:" >&2
  echo "$missing" >&2
  exit 1
fi
stage=build/deb/kesu-desk_${version}_${arch}
rm -rf "$stage"
mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" \
  "$stage/usr/share/icons/hicolor/scalable/apps"
cp -a "$bundle" "$stage/opt/kesu-desk"
ln -s /opt/kesu-desk/kesu "$stage/usr/bin/kesu"
ln -s /opt/kesu-desk/kesu-desk "$stage/usr/bin/kesu-desk"
install -m 0644 resources/icons/kesu-desk.svg "$stage/usr/share/icons/hicolor/scalable/apps/kesu-desk.svg"
cat > "$stage/usr/share/applications/kesu-desk.desktop" <<DESKTOP
[Desktop Entry]
Type=Application
Version=1.0
Name=Kesu Desk
Name[zh_CN]=客诉台
Name[zh_TW]=客訴台
GenericName=Customer complaints
GenericName[zh_CN]=客户投诉处理
GenericName[zh_TW]=客戶投訴處理
Comment=Register and handle customer complaints at the service counter
Comment[zh_CN]=在服务柜台登记和处理客户投诉
Comment[zh_TW]=在服務櫃台登記和處理客戶投訴
Exec=kesu-desk
Icon=kesu-desk
Terminal=false
Categories=Office;
StartupWMClass=kesu-desk
DESKTOP
chmod 0644 "$stage/usr/share/applications/kesu-desk.desktop"
# Qt's xcb and Wayland platform plugins and their helpers; libglib2.0-0 is libglib2.0-0t64 from Debian 13 / Ubuntu 24.04.
depends="libc6, libgl1, libegl1, libfontconfig1, libfreetype6, libdbus-1-3, libglib2.0-0t64 | libglib2.0-0,
 libx11-6, libx11-xcb1, libxcb1, libxkbcommon0, libxkbcommon-x11-0, libxcb-cursor0, libxcb-icccm4,
 libxcb-image0, libxcb-keysyms1, libxcb-randr0, libxcb-render-util0, libxcb-shape0, libxcb-xinerama0,
 libxcb-xkb1, libxcb-render0, libxcb-shm0, libxcb-sync1, libxcb-xfixes0, libxcb-util1,
 libwayland-client0, libwayland-cursor0, libwayland-egl1"
installed_kb=$(du -sk --apparent-size "$stage" | cut -f1)
cat > "$stage/DEBIAN/control" <<CONTROL
Package: kesu-desk
Version: $version
Architecture: $arch
Maintainer: Kesu Desk <kesu-desk@localhost>
Installed-Size: $installed_kb
Section: misc
Priority: optional
Depends: $(tr -d '\n' <<<"$depends")
Description: Kesu Desk (客诉台): customer complaints at the service counter
 Register, classify, assign, resolve and archive customer complaints, with
 deadlines on the Chinese business calendar, signed printed receipts and
 letters, and an append-only audit trail, on SQLite or PostgreSQL.
 .
 The whole program (Python, Qt, PDFium) is bundled under /opt/kesu-desk;
 run "kesu-desk --selftest" to check an installation.
CONTROL
find "$stage" -type d -exec chmod 0755 {} +
out=dist/kesu-desk_${version}_${arch}.deb
# xz makes the smallest file to carry to a counter (about 70 MB) but takes minutes on two busy cores;
# KESU_DEB_COMPRESSION=gzip is several times faster for a throw-away CI package.
dpkg-deb --build --root-owner-group -Z"${KESU_DEB_COMPRESSION:-xz}" "$stage" "$out" >/dev/null
echo "build-deb: $out ($(du -h "$out" | cut -f1))"
