/* heap.h - a binary min-heap of item numbers (input indexes) under a
 * caller's comparison; ties go to the smaller item number, which is what
 * makes a k-way merge over it stable (ties keep input order). */
#ifndef HEAP_H
#define HEAP_H

#include <stddef.h>

/* Returns <0, 0, >0 as item A sorts before, with, after item B. */
typedef int (*heap_cmp_fn)(void *ctx, size_t a, size_t b);
typedef struct heap heap;

/* A heap for items 0 .. cap-1.  Returns NULL on allocation failure. */
heap *heap_new(size_t cap, heap_cmp_fn cmp, void *ctx);
void heap_free(heap *h);
void heap_push(heap *h, size_t item); /* at most cap pushes */
size_t heap_size(const heap *h);
size_t heap_top(const heap *h);        /* size must be > 0 */
/* The top item's key changed (grew): restore the heap.  Costs one
 * comparison when the top still sorts first against the second-best
 * (cached), the common case for inputs that do not overlap. */
void heap_update_top(heap *h);
void heap_pop(heap *h);
/* Empties the heap without comparing anything (items may be stale). */
void heap_clear(heap *h);

#endif
