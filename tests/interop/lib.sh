# nutsec tests - interop/lib.sh: the interop tests share the integration
# helpers (tests/integration/lib.sh).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"
