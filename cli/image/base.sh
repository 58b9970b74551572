#!/usr/bin/env bash
# Builds the base of distill's own image, a distroless base made from Debian packages, as a docker-archive tar
# that Jib takes as its base (tar://): glibc (libc6) and the C++ runtime and zlib the JVM links against (libgcc-s1,
# libstdc++6, zlib1g), ca-certificates, and openjdk-17-jre-headless, each unpacked with dpkg-deb -x and recorded
# the way distroless images record packages (var/lib/dpkg/status.d/NAME and NAME.md5sums). No shell, no package
# manager, no maintainer scripts: what those scripts would have made is made here (the CA bundle, Java's cacerts,
# /etc/passwd with a nonroot user, /tmp). One layer, every file owned by root except nonroot's home.
#   usage: base.sh OUTDIR     writes OUTDIR/base.tar (and keeps the downloaded packages in OUTDIR/debs)
# Needs apt-get (its lists are updated once if a download fails), dpkg-deb, GNU tar, gzip, sha256sum and a JDK.
set -euo pipefail
out=$(mkdir -p "$1" && cd "$1" && pwd)
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
packages=(libc6 libgcc-s1 libstdc++6 zlib1g ca-certificates openjdk-17-jre-headless)
epoch=${SOURCE_DATE_EPOCH:-0}

mkdir -p "$out/debs"
if ! (cd "$out/debs" && apt-get download -q "${packages[@]}" >/dev/null 2>&1); then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  (cd "$out/debs" && apt-get download -q "${packages[@]}" >/dev/null)
fi

root="$out/rootfs"
rm -rf "$root"
mkdir -p "$root/var/lib/dpkg/status.d"
for p in "${packages[@]}"; do
  deb=$(ls "$out"/debs/"${p}"_*.deb | sort | tail -n 1)
  dpkg-deb -x "$deb" "$root"
  name=$(dpkg-deb -f "$deb" Package)
  dpkg-deb -f "$deb" > "$root/var/lib/dpkg/status.d/$name"
  ctrl=$(mktemp -d)
  dpkg-deb -e "$deb" "$ctrl"
  if [ -f "$ctrl/md5sums" ]; then cp "$ctrl/md5sums" "$root/var/lib/dpkg/status.d/$name.md5sums"; fi
  rm -rf "$ctrl"
done
# Documentation is not needed at run time; the copyright files stay, as in distroless.
rm -rf "$root/usr/share/man" "$root/usr/share/lintian" "$root/usr/share/info"
find "$root/usr/share/doc" -mindepth 2 ! -name copyright ! -type d -delete 2>/dev/null || true

# What the maintainer scripts would have made.
mkdir -p "$root/etc/ssl/certs/java" "$root/home/nonroot" "$root/tmp"
find "$root/usr/share/ca-certificates" -name '*.crt' | LC_ALL=C sort | xargs cat > "$root/etc/ssl/certs/ca-certificates.crt"
java "$here/Truststore.java" "$root/etc/ssl/certs/java/cacerts" $(find "$root/usr/share/ca-certificates" -name '*.crt' | LC_ALL=C sort)
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' > "$root/etc/group"
chmod 1777 "$root/tmp"
chmod 0755 "$root/home/nonroot"

# One layer: everything root's, then nonroot's home appended with its owner.
tar_opts=(--sort=name --numeric-owner --mtime="@$epoch" --format=gnu --no-acls --no-xattrs)
tar "${tar_opts[@]}" --owner=0 --group=0 --exclude=./home/nonroot -C "$root" -cf "$out/layer.tar" .
tar "${tar_opts[@]}" --owner=65532 --group=65532 -C "$root" -rf "$out/layer.tar" ./home/nonroot
diff_id=$(sha256sum "$out/layer.tar" | cut -d' ' -f1)
created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
jhome=/usr/lib/jvm/java-17-openjdk-$(dpkg --print-architecture)
arch=$(dpkg --print-architecture)
cat > "$out/config.json" <<JSON
{"architecture":"$arch","os":"linux","created":"$created","config":{"User":"65532:65532","WorkingDir":"/home/nonroot","Env":["PATH=$jhome/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=$jhome","HOME=/home/nonroot","SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"]},"rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},"history":[{"created":"$created","created_by":"cli/image/base.sh: ${packages[*]}"}]}
JSON
printf '[{"Config":"config.json","RepoTags":["distill-base:latest"],"Layers":["layer.tar"]}]\n' > "$out/manifest.json"
tar --sort=name --numeric-owner --owner=0 --group=0 --mtime="@$epoch" -C "$out" -cf "$out/base.tar" manifest.json config.json layer.tar
echo "base.sh: $out/base.tar ($(du -h "$out/base.tar" | cut -f1); ${packages[*]})" >&2
