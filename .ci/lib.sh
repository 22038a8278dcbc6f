# Shared helpers for the .ci scripts; source it (". .ci/lib.sh"), do not run it.

# The repository root, whichever directory the sourcing script was started from.
ci_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# central ID: the version Directory.Packages.props pins for package ID (empty when it pins none).
central() { sed -n "s:.*<PackageVersion Include=\"$1\" Version=\"\([^\"]*\)\".*:\1:p" "$ci_root/Directory.Packages.props" | head -n 1; }
