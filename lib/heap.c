/* heap.c - binary min-heap of item numbers, see heap.h. */
#include "heap.h"

#include <stdlib.h>

struct heap {
	size_t *items;
	size_t n, cap;
	heap_cmp_fn cmp;
	void *ctx;
	size_t best_child; /* index (1 or 2) of the root's smaller child, if known */
	int best_known;
};

heap *heap_new(size_t cap, heap_cmp_fn cmp, void *ctx)
{
	heap *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->items = malloc((cap ? cap : 1) * sizeof *h->items);
	if (!h->items) {
		free(h);
		return NULL;
	}
	h->cap = cap;
	h->cmp = cmp;
	h->ctx = ctx;
	return h;
}

void heap_free(heap *h)
{
	if (!h)
		return;
	free(h->items);
	free(h);
}

/* Item a sorts strictly before item b; ties go to the smaller item. */
static inline int before(const heap *h, size_t a, size_t b)
{
	int c = h->cmp(h->ctx, a, b);
	return c < 0 || (c == 0 && a < b);
}

static void sift_up(heap *h, size_t i)
{
	size_t x = h->items[i];
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!before(h, x, h->items[p]))
			break;
		h->items[i] = h->items[p];
		i = p;
	}
	h->items[i] = x;
}

static void sift_down(heap *h, size_t i)
{
	size_t x = h->items[i];
	for (;;) {
		size_t l = 2 * i + 1, c;
		if (l >= h->n)
			break;
		if (i == 0 && h->best_known) {
			c = h->best_child;
		} else {
			c = l;
			if (l + 1 < h->n && before(h, h->items[l + 1], h->items[l]))
				c = l + 1;
			if (i == 0) {
				h->best_child = c;
				h->best_known = 1;
			}
		}
		if (!before(h, h->items[c], x))
			break;
		h->items[i] = h->items[c];
		if (i == 0)
			h->best_known = 0; /* the subtree under the root changes */
		i = c;
	}
	h->items[i] = x;
}

void heap_push(heap *h, size_t item)
{
	if (h->n >= h->cap)
		return;
	h->items[h->n++] = item;
	h->best_known = 0;
	sift_up(h, h->n - 1);
}

size_t heap_size(const heap *h) { return h->n; }
size_t heap_top(const heap *h) { return h->items[0]; }

void heap_update_top(heap *h)
{
	if (h->n > 1)
		sift_down(h, 0);
}

void heap_pop(heap *h)
{
	if (h->n == 0)
		return;
	h->items[0] = h->items[--h->n];
	h->best_known = 0;
	if (h->n > 1)
		sift_down(h, 0);
}

void heap_clear(heap *h)
{
	h->n = 0;
	h->best_known = 0;
}
