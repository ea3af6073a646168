/* fnv.h - the FNV-1a hash, the one hash of osdl: cache fingerprints (stable
 * across machines and releases) and the in-memory hash tables. */
#ifndef FNV_H
#define FNV_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A64_INIT 14695981039346656037ull /* 0xcbf29ce484222325 */

/* Continues the 64-bit FNV-1a hash H (start with FNV1A64_INIT) over N bytes
 * at DATA.  Never fails. */
uint64_t fnv1a64(uint64_t h, const void *data, size_t n);

/* The 32-bit FNV-1a hash of N bytes at DATA.  Never fails. */
uint32_t fnv1a32(const void *data, size_t n);

#endif
