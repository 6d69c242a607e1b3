#!/bin/sh
# nutsec release procedure (docs/release.md): from the last commit of this
# git checkout, make the release tarball, prove it with `make distcheck`,
# repack it reproducibly, write SHA256SUMS and SHA512SUMS and a detached,
# ASCII-armored OpenPGP signature.
#
#   tools/release.sh [-o OUTDIR] [-k KEYID] [--no-distcheck] [--allow-dirty]
#
#   -o OUTDIR        where the release files go (default ./release)
#   -k KEYID         sign with this OpenPGP key (fingerprint best); without
#                    it nothing is signed and the script says so
#   --no-distcheck   `make dist` only (the tests use it: distcheck runs the
#                    whole test suite and takes long)
#   --allow-dirty    release HEAD even if the checkout has uncommitted
#                    changes (they are never in the tarball either way)
#
# Reproducible: the sources are a fresh clone of HEAD, every file of the
# tarball gets the commit's time (SOURCE_DATE_EPOCH, taken from the commit
# unless set), owner and group 0, the tar order is sorted by name and gzip
# stores no name or time. Two runs on the same commit with the same
# autotools, tar and gzip give byte-identical tarballs.
set -eu

out=release
key=
distcheck=yes
dirty=no
while [ $# -gt 0 ]; do
	case $1 in
	-o) out=${2:?-o needs a directory}; shift 2 ;;
	-k) key=${2:?-k needs a key id}; shift 2 ;;
	--no-distcheck) distcheck=no; shift ;;
	--allow-dirty) dirty=yes; shift ;;
	-h|--help) sed -n '2,22s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "release.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done

# A run from inside make (make release, a test) must not pass make's
# variables on to the fresh build: TESTS=... would change what make dist packs.
unset TESTS TEST_LOGS MAKEFLAGS MFLAGS MAKELEVEL DESTDIR

die() { echo "release.sh: $*" >&2; exit 1; }

top=$(cd "$(dirname "$0")/.." && pwd)
git -C "$top" rev-parse --verify -q HEAD >/dev/null &&
	[ "$(git -C "$top" rev-parse --show-toplevel)" = "$(cd "$top" && pwd -P)" ] ||
	die "$top is not a git checkout: a release is made from a commit"
if [ "$dirty" = no ] && [ -n "$(git -C "$top" status --porcelain --untracked-files=no)" ]; then
	die "$top has uncommitted changes: commit them, or --allow-dirty to release HEAD without them"
fi
commit=$(git -C "$top" rev-parse HEAD)
: "${SOURCE_DATE_EPOCH:=$(git -C "$top" log -1 --format=%ct HEAD)}"
export SOURCE_DATE_EPOCH
for tool in tar gzip sha256sum sha512sum; do
	command -v "$tool" >/dev/null || die "$tool is needed"
done
if [ -n "$key" ]; then
	command -v gpg >/dev/null || die "gpg is needed to sign"
	gpg --batch --list-secret-keys "$key" >/dev/null 2>&1 ||
		die "no secret key '$key' in ${GNUPGHOME:-~/.gnupg}"
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/nutsec-release.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT INT TERM
umask 022

echo "release.sh: commit $commit, SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH"
git clone -q --no-hardlinks "$top" "$work/src"
git -C "$work/src" checkout -q "$commit"
(cd "$work/src" && ./autogen.sh >"$work/autogen.log" 2>&1) ||
	{ tail -20 "$work/autogen.log"; die "autogen.sh failed"; }
mkdir "$work/build"
(cd "$work/build" && ../src/configure -q >"$work/configure.log" 2>&1) ||
	{ tail -20 "$work/configure.log"; die "configure failed"; }
if [ "$distcheck" = yes ]; then
	echo "release.sh: make distcheck (builds and runs every test from the tarball)"
	(cd "$work/build" && make distcheck >"$work/distcheck.log" 2>&1) ||
		{ tail -40 "$work/distcheck.log"; die "make distcheck failed (log above)"; }
else
	(cd "$work/build" && make dist >"$work/dist.log" 2>&1) ||
		{ tail -20 "$work/dist.log"; die "make dist failed"; }
fi

set -- "$work"/build/*.tar.gz
[ $# -eq 1 ] && [ -f "$1" ] || die "expected one tarball from make dist, found: $*"
name=$(basename "$1" .tar.gz)

# Repack: same files, fixed metadata. The modes are the distdir's (automake
# makes them a+r), made independent of the umask of whoever repacks.
mkdir "$work/repack"
tar -C "$work/repack" -xzf "$1"
[ -d "$work/repack/$name" ] || die "$1 does not unpack into $name/"
(cd "$work/repack" && tar --format=gnu --sort=name --mtime="@$SOURCE_DATE_EPOCH" \
	--owner=0 --group=0 --numeric-owner --mode='u+w,go-w,a+rX' \
	-cf - "$name") | gzip -9 -n >"$out/$name.tar.gz"

cd "$out"
rm -f "$name.tar.gz.asc"
sha256sum "$name.tar.gz" >SHA256SUMS
sha512sum "$name.tar.gz" >SHA512SUMS
if [ -n "$key" ]; then
	gpg --batch --yes --local-user "$key" --armor --detach-sign \
		--output "$name.tar.gz.asc" "$name.tar.gz"
	gpg --batch --yes --armor --output nutsec-release-key.asc --export "$key"
	echo "release.sh: signed with $key"
else
	echo "release.sh: not signed (no -k KEYID)"
fi
echo "release.sh: in $out:"
ls -l "$out"
