#!/bin/sh
# Regenerate the autotools files from configure.ac and the Makefile.am files.
set -e
cd "$(dirname "$0")"
autoreconf --install --force
