/* jstr.h - JSON string escapes, with one rule for lone surrogates.
 *
 * JSON text may hold "\ud800" alone, which no UTF-8 can carry; decoders
 * disagree on it (yajl gives "?", others the invalid bytes ED A0 80, which a
 * UTF-8 check then turns into three U+FFFD).  Here every surrogate escape
 * that is not a high one directly followed by an escaped low one becomes
 * exactly one U+FFFD (EF BF BD), wherever the text ends up: values, names,
 * joined arrays and arrays kept as JSON text.
 */
#ifndef JSTR_H
#define JSTR_H

#include <stddef.h>

/* Whether the JSON string contents or JSON text S (N bytes) hold a \u escape
 * of a surrogate (U+D800..U+DFFF), paired or not: the only escapes whose
 * decoding differs between decoders. */
int jstr_has_surrogate(const char *s, size_t n);

/* Decodes the contents of one JSON string RAW (N bytes between the quotes,
 * escapes well-formed as a JSON parser checked them) into OUT, which has
 * room for N bytes (decoding never grows).  A surrogate pair becomes its
 * code point, any other surrogate escape U+FFFD; other bytes are copied.
 * Returns the length written. */
size_t jstr_decode(const char *raw, size_t n, char *out);

/* Copies the JSON text J (N bytes) into OUT (room for N bytes) with each
 * surrogate escape that is not part of a pair replaced by U+FFFD's UTF-8
 * bytes; pairs and everything else are copied as they are.  Returns the
 * length written. */
size_t jstr_fix_text(const char *j, size_t n, char *out);

/* Whether the JSON text S (N bytes) nests arrays and objects deeper than
 * MAX, counting brackets outside strings (whether S is valid JSON is the
 * parser's to say).  For yajl's tree, which frees by recursion: text that
 * deep must never reach it. */
int jstr_too_deep(const char *s, size_t n, int max);

#endif
