#!/bin/sh
# The release procedure (tools/release.sh, docs/release.md): two runs from the
# same commit give byte-identical tarballs; the checksum files and the
# detached signature verify the tarball and reject a tampered one. The key is
# a throwaway one in a temporary GNUPGHOME.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

# The tree itself must be the checkout (make distcheck unpacks a copy
# inside the build directory, which may be inside a checkout).
if ! git -C "$top_srcdir" rev-parse --verify -q HEAD >/dev/null 2>&1 ||
    [ "$(git -C "$top_srcdir" rev-parse --show-toplevel)" != "$(cd "$top_srcdir" && pwd -P)" ]; then
	echo "1..0 # SKIP $top_srcdir is not a git checkout (a release is made from a commit)"
	exit 0
fi
for tool in gpg tar gzip sha256sum sha512sum; do
	command -v $tool >/dev/null 2>&1 || { echo "1..0 # SKIP $tool not installed"; exit 0; }
done

T=$(mktemp -d /tmp/nutsec-rel.XXXXXX) || tap_bail "mktemp failed"
GNUPGHOME=$T/gnupg
export GNUPGHOME
mkdir -m 0700 "$GNUPGHOME"
stop_agent() {
	gpgconf --kill gpg-agent 2>/dev/null
	GNUPGHOME=$T/user-gnupg gpgconf --kill gpg-agent 2>/dev/null
	nut_on_exit
}
trap stop_agent EXIT

gpg --batch --passphrase '' --quick-gen-key 'nutsec test release <release@example.invalid>' \
	ed25519 sign 1d >"$T/gpg.log" 2>&1 || tap_bail "gpg could not make a key: $(tail -3 "$T/gpg.log")"
fpr=$(gpg --batch --with-colons --list-secret-keys 2>/dev/null | sed -n 's/^fpr:*\([0-9A-F]*\):$/\1/p' | head -1)
[ -n "$fpr" ] || tap_bail "no fingerprint for the new key"

# Two runs, the second a little later so every file time differs unless fixed.
for n in 1 2; do
	if sh "$top_srcdir/tools/release.sh" --no-distcheck --allow-dirty -k "$fpr" -o "$T/out$n" \
	    >"$T/release$n.log" 2>&1; then
		tap_ok "release run $n succeeds"
	else
		tap_fail "release run $n succeeds"; tap_diag "$(tail -20 "$T/release$n.log")"
	fi
	[ $n = 2 ] || sleep 1.1
done
tarball=$(cd "$T/out1" && ls ./*.tar.gz 2>/dev/null | head -1)
tarball=${tarball#./}
[ -n "$tarball" ] || tap_bail "no tarball made"
tap_check "the two tarballs are byte-identical ($tarball)" cmp "$T/out1/$tarball" "$T/out2/$tarball"
tap_check "SHA256SUMS identical too" cmp "$T/out1/SHA256SUMS" "$T/out2/SHA256SUMS"

epoch=$(git -C "$top_srcdir" log -1 --format=%ct HEAD)
listing=$(tar -tvzf "$T/out1/$tarball" --numeric-owner)
tap_unlike "every member is owned 0/0" "$listing" '^[^ ]+ ([1-9][0-9]*/|0/[1-9])'
tap_is "every member has the commit's time" \
	"$(tar -tvzf "$T/out1/$tarball" --full-time | awk '{print $4 " " $5}' | sort -u)" \
	"$(date -u -d "@$epoch" '+%Y-%m-%d %H:%M:%S')"
names=$(tar -tzf "$T/out1/$tarball")
# tar --sort=name: the entries of each directory in byte order of their names
tap_is "members of each directory are in name order" "$(printf '%s\n' "$names" | "$PY" -c '
import sys
kids = {}
for p in sys.stdin.read().split():
    parent, _, name = p.rstrip("/").rpartition("/")
    kids.setdefault(parent, []).append(name.encode())
print([d for d, k in kids.items() if k != sorted(k)], len(kids) > 10)
' 2>&1)" "[] True"
tap_like "the tarball carries the install tests and the Debian packaging" "$names" '/debian/control$'
gzhead=$(od -An -tx1 -N10 "$T/out1/$tarball" | tr -d ' \n')
tap_like "gzip header holds no name and no time" "$gzhead" '^1f8b0800000000000'

# The user's side (docs/release.md): a keyring of their own holding only the
# published key; the signature first, then the checksums.
cd "$T/out1" || tap_bail "no $T/out1"
GNUPGHOME=$T/user-gnupg
mkdir -m 0700 "$GNUPGHOME"
tap_like "gpg --show-keys shows the release key's fingerprint" \
	"$(gpg --batch --with-colons --show-keys nutsec-release-key.asc 2>&1)" "^fpr:+$fpr:"
tap_check "gpg --import nutsec-release-key.asc" gpg --batch -q --import nutsec-release-key.asc
v=$(gpg --batch --status-fd 1 --verify "$tarball.asc" "$tarball" 2>&1)
tap_like "gpg --verify: good signature by the release key" "$v" "^\[GNUPG:\] VALIDSIG $fpr "
tap_like "... printed as \"Good signature\"" "$v" 'gpg: Good signature from "nutsec test release'
tap_is "sha256sum -c SHA256SUMS" "$(sha256sum -c SHA256SUMS 2>&1)" "$tarball: OK"
tap_is "sha512sum -c SHA512SUMS" "$(sha512sum -c SHA512SUMS 2>&1)" "$tarball: OK"

# Tampering: one byte changed in the middle of the tarball.
mkdir "$T/bad" && cp "$tarball" "$tarball.asc" SHA256SUMS SHA512SUMS "$T/bad/"
cd "$T/bad" || tap_bail "no $T/bad"
size=$(stat -c %s "$tarball")
printf 'X' | dd of="$tarball" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
tap_check "the tampered copy differs" sh -c "! cmp -s '$tarball' '$T/out1/$tarball'"
if v=$(gpg --batch --status-fd 1 --verify "$tarball.asc" "$tarball" 2>&1); then
	tap_fail "gpg --verify rejects the tampered tarball"; tap_diag "$v"
else
	tap_like "gpg --verify rejects the tampered tarball (BAD signature)" "$v" '^\[GNUPG:\] BADSIG '
fi
tap_like "sha256sum -c rejects it" "$(sha256sum -c SHA256SUMS 2>&1)" "^$tarball: FAILED$"
tap_like "sha512sum -c rejects it" "$(sha512sum -c SHA512SUMS 2>&1)" "^$tarball: FAILED$"
tap_done
