/*
 * nutsec - fuzz.h: the libFuzzer entry point every target defines. The same
 * target objects are linked either with libFuzzer (configure
 * --enable-fuzzing, clang) or with replay.c, which runs a corpus through
 * them as part of `make check`.
 */
#ifndef NUTSEC_FUZZ_H
#define NUTSEC_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
