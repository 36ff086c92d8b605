#!/bin/sh
# The C driver as one file, for a port that wants one (README.md): the header, then every .c file.
#   harness/drivers/c/amalgamate.sh > ipcspec-driver.c && cc -O2 -pthread -o ipcspec-driver ipcspec-driver.c
# It is plain concatenation: each .c includes the header only where it is not already above
# (#ifndef IPCSPEC_DRIVER_H), so `cat ipcspec-driver.h *.c` gives the same program.
set -eu
cd "$(dirname "$0")"
printf '/* ipcspec-driver.c: harness/drivers/c/ as one file (made by amalgamate.sh; edit the split files). */\n'
for f in ipcspec-driver.h *.c; do
  printf '\n/* ==== %s ==== */\n' "$f"
  cat "$f"
done
